"""quality figures: dossier facts, snapshots, portal values, EMC outbox (ratings.assisted comes with
0008_assistance)

Revision ID: 0011_quality
Revises: 0010_dossier_contact
Create Date: 2026-12-02 12:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0011_quality"
down_revision = "0010_dossier_contact"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "quality_facts",
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("dossier_code", sa.String(64), nullable=False),
        sa.Column("unit_code", sa.String(64), nullable=False),
        sa.Column("unit_name", sa.String(300), nullable=False),
        sa.Column("commune_code", sa.Integer(), nullable=True),
        sa.Column("procedure_code", sa.String(64), nullable=False),
        sa.Column("online_level", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("status_code", sa.SmallInteger(), nullable=False),
        sa.Column("status_history", sa.JSON(), nullable=False),
        sa.Column("received_at", TS, nullable=True),
        sa.Column("due_at", TS, nullable=True),
        sa.Column("due_source", sa.String(16), nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("returned_at", TS, nullable=True),
        sa.Column("paused_periods", sa.JSON(), nullable=False),
        sa.Column("adjusted_due_at", TS, nullable=True),
        sa.Column("timeliness", sa.String(24), nullable=False),
        sa.Column("components", sa.Integer(), nullable=False),
        sa.Column("digitised", sa.Boolean(), nullable=False),
        sa.Column("e_result", sa.Boolean(), nullable=False),
        sa.Column("has_fee", sa.Boolean(), nullable=False),
        sa.Column("paid_online", sa.Boolean(), nullable=False),
        sa.Column("synced_to_portal", sa.Boolean(), nullable=False),
        sa.Column("rated_at", TS, nullable=True),
        sa.Column("rating_overall", sa.SmallInteger(), nullable=True),
        sa.Column("assisted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers.id"],
            name=op.f("fk_quality_facts_dossier_id_dossiers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("dossier_id", name=op.f("pk_quality_facts")),
        sa.UniqueConstraint("dossier_code", name=op.f("uq_quality_facts_dossier_code")),
    )
    with op.batch_alter_table("quality_facts", schema=None) as batch_op:
        for column in ("unit_code", "commune_code", "procedure_code", "received_at", "finished_at"):
            batch_op.create_index(batch_op.f(f"ix_quality_facts_{column}"), [column], unique=False)

    op.create_table(
        "quality_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope_kind", sa.String(16), nullable=False),
        sa.Column("scope_code", sa.String(64), nullable=False),
        sa.Column("period_kind", sa.String(8), nullable=False),
        sa.Column("period_key", sa.String(16), nullable=False),
        sa.Column("formula_version", sa.String(32), nullable=False),
        sa.Column("data_cutoff", TS, nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("published_at", TS, nullable=True),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["quality_snapshots.id"],
            name=op.f("fk_quality_snapshots_supersedes_id_quality_snapshots"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_snapshots")),
    )
    op.create_index(
        "ix_quality_snapshots_scope",
        "quality_snapshots",
        ["scope_kind", "scope_code", "period_kind", "period_key"],
    )
    op.create_table(
        "quality_snapshot_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(32), nullable=False),
        sa.Column("part", sa.String(1), nullable=False),
        sa.Column("item", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["quality_snapshots.id"],
            name=op.f("fk_quality_snapshot_members_snapshot_id_quality_snapshots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_snapshot_members")),
    )
    op.create_index(
        "ix_quality_members_figure",
        "quality_snapshot_members",
        ["snapshot_id", "indicator", "part", "item"],
    )
    op.create_table(
        "quality_portal_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope_kind", sa.String(16), nullable=False),
        sa.Column("scope_code", sa.String(64), nullable=False),
        sa.Column("period_kind", sa.String(8), nullable=False),
        sa.Column("period_key", sa.String(16), nullable=False),
        sa.Column("indicator", sa.String(32), nullable=False),
        sa.Column("value", sa.Numeric(7, 2), nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("imported_by", sa.String(100), nullable=False),
        sa.Column("imported_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_portal_values")),
        sa.UniqueConstraint(
            "scope_kind",
            "scope_code",
            "period_kind",
            "period_key",
            "indicator",
            name="uq_quality_portal_values_scope",
        ),
    )
    op.create_table(
        "emc_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(128), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=True),
        sa.Column("status_code", sa.SmallInteger(), nullable=False),
        sa.Column("emc_status", sa.SmallInteger(), nullable=False),
        sa.Column("occurred_at", TS, nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TS, nullable=False),
        sa.Column("claimed_until", TS, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("sent_at", TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers.id"],
            name=op.f("fk_emc_outbox_dossier_id_dossiers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emc_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_emc_outbox_dedupe_key")),
    )
    with op.batch_alter_table("emc_outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_emc_outbox_dossier_id"), ["dossier_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_emc_outbox_occurred_at"), ["occurred_at"], unique=False
        )
        batch_op.create_index(
            "ix_emc_outbox_state_next", ["state", "next_attempt_at"], unique=False
        )
    op.create_table(
        "emc_reconciliations",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status_changes", sa.Integer(), nullable=False),
        sa.Column("expected", sa.Integer(), nullable=False),
        sa.Column("queued", sa.Integer(), nullable=False),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("missing_queued", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_emc_reconciliations")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # A published snapshot is final, whatever code touches the table.
        op.execute(
            """
            CREATE FUNCTION quality_snapshot_final() RETURNS trigger AS $$
            BEGIN
              IF OLD.published_at IS NOT NULL THEN
                RAISE EXCEPTION 'quality snapshot % is published and cannot change', OLD.id;
              END IF;
              RETURN NEW;
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER quality_snapshot_final BEFORE UPDATE ON quality_snapshots
              FOR EACH ROW EXECUTE FUNCTION quality_snapshot_final();
            """
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS quality_snapshot_final ON quality_snapshots")
        op.execute("DROP FUNCTION IF EXISTS quality_snapshot_final()")
    op.drop_table("emc_reconciliations")
    op.drop_table("emc_outbox")
    op.drop_table("quality_portal_values")
    op.drop_index("ix_quality_members_figure", table_name="quality_snapshot_members")
    op.drop_table("quality_snapshot_members")
    op.drop_index("ix_quality_snapshots_scope", table_name="quality_snapshots")
    op.drop_table("quality_snapshots")
    op.drop_table("quality_facts")
