"""dvc-connect: the kernel, integrations and domains; ``api.app`` is the composition root."""
