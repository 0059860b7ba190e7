"""support: FAQ articles and votes, asked questions, questions to the agency, portal Q&A
mapping errors, surveys and responses (issue 16).

Revision ID: 0009_support
Revises: 0008_assistance
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0009_support"
down_revision = "0008_assistance"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "support_articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("title_vi", sa.Text(), nullable=False),
        sa.Column("title_en", sa.Text(), nullable=False),
        sa.Column("short_vi", sa.Text(), nullable=False),
        sa.Column("short_en", sa.Text(), nullable=False),
        sa.Column("body_vi", sa.Text(), nullable=False),
        sa.Column("body_en", sa.Text(), nullable=False),
        sa.Column("variants", sa.JSON(), nullable=False),
        sa.Column("procedure_codes", sa.JSON(), nullable=False),
        sa.Column("field_codes", sa.JSON(), nullable=False),
        sa.Column("owner_unit", sa.String(length=300), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=True),
        sa.Column("review_due_on", sa.Date(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("helpful", sa.Integer(), nullable=False),
        sa.Column("not_helpful", sa.Integer(), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_articles")),
        sa.UniqueConstraint("slug", name=op.f("uq_support_articles_slug")),
    )
    with op.batch_alter_table("support_articles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_support_articles_review_due_on"), ["review_due_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_support_articles_status"), ["status"], unique=False)

    op.create_table(
        "support_asked",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("folded", sa.String(length=300), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("top_kind", sa.String(length=16), nullable=False),
        sa.Column("top_key", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_asked")),
    )
    with op.batch_alter_table("support_asked", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_support_asked_asked_at"), ["asked_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_support_asked_folded"), ["folded"], unique=False)
        batch_op.create_index(batch_op.f("ix_support_asked_outcome"), ["outcome"], unique=False)

    op.create_table(
        "support_portal_errors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=64), nullable=False),
        sa.Column("portal_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("seen", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_portal_errors")),
        sa.UniqueConstraint(
            "service",
            "portal_id",
            "reason",
            name=op.f("uq_support_portal_errors_service_portal_id_reason"),
        ),
    )
    op.create_table(
        "surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("title_vi", sa.Text(), nullable=False),
        sa.Column("title_en", sa.Text(), nullable=False),
        sa.Column("intro_vi", sa.Text(), nullable=False),
        sa.Column("intro_en", sa.Text(), nullable=False),
        sa.Column("unit_code", sa.String(length=300), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
        sa.UniqueConstraint("slug", name=op.f("uq_surveys_slug")),
    )
    op.create_table(
        "support_article_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("voter", sa.String(length=96), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["support_articles.id"],
            name=op.f("fk_support_article_votes_article_id_support_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_article_votes")),
        sa.UniqueConstraint(
            "article_id", "voter", name=op.f("uq_support_article_votes_article_id_voter")
        ),
    )
    op.create_table(
        "support_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("portal_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("personal_data", sa.JSON(), nullable=False),
        sa.Column("procedure_code", sa.String(length=64), nullable=True),
        sa.Column("field_code", sa.String(length=64), nullable=True),
        sa.Column("unit_code", sa.String(length=300), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("asker", sa.String(length=96), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=True),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("contact_phone", sa.String(length=20), nullable=True),
        sa.Column("contact_email", sa.String(length=200), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_by", sa.String(length=200), nullable=False),
        sa.Column("answered_by_title", sa.String(length=200), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("public_question", sa.Text(), nullable=False),
        sa.Column("public_answer", sa.Text(), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pushed_version", sa.String(length=64), nullable=False),
        sa.Column("answer_pushed_version", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_support_questions_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["accounts.id"],
            name=op.f("fk_support_questions_reviewed_by_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_questions")),
        sa.UniqueConstraint("portal_id", name=op.f("uq_support_questions_portal_id")),
    )
    with op.batch_alter_table("support_questions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_support_questions_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_support_questions_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_support_questions_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_support_questions_text_hash"), ["text_hash"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_support_questions_unit_code"), ["unit_code"], unique=False
        )

    op.create_table(
        "survey_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("respondent", sa.String(length=96), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("assisted", sa.Boolean(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("unit_code", sa.String(length=300), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_survey_responses_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossiers.id"], name=op.f("fk_survey_responses_dossier_id_dossiers")
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_responses_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_responses")),
        sa.UniqueConstraint("survey_id", "dossier_id", name="uq_survey_once_per_dossier"),
        sa.UniqueConstraint("survey_id", "respondent", "period", name="uq_survey_once_per_period"),
    )
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_responses_submitted_at"), ["submitted_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_survey_responses_unit_code"), ["unit_code"], unique=False
        )


def downgrade():
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_responses_unit_code"))
        batch_op.drop_index(batch_op.f("ix_survey_responses_submitted_at"))

    op.drop_table("survey_responses")
    with op.batch_alter_table("support_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_questions_unit_code"))
        batch_op.drop_index(batch_op.f("ix_support_questions_text_hash"))
        batch_op.drop_index(batch_op.f("ix_support_questions_status"))
        batch_op.drop_index(batch_op.f("ix_support_questions_created_at"))
        batch_op.drop_index(batch_op.f("ix_support_questions_account_id"))

    op.drop_table("support_questions")
    op.drop_table("support_article_votes")
    op.drop_table("surveys")
    op.drop_table("support_portal_errors")
    with op.batch_alter_table("support_asked", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_asked_outcome"))
        batch_op.drop_index(batch_op.f("ix_support_asked_folded"))
        batch_op.drop_index(batch_op.f("ix_support_asked_asked_at"))

    op.drop_table("support_asked")
    with op.batch_alter_table("support_articles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_articles_status"))
        batch_op.drop_index(batch_op.f("ix_support_articles_review_due_on"))

    op.drop_table("support_articles")
