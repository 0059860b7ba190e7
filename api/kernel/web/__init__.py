"""The web kit every domain's routes share: the OpenAPI set-up and error schema, the input guard
and the docs' assets. No domain words here; nothing above the kernel is imported."""
