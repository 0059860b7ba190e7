"""console: staff areas (province admins, retired accounts) and the registry of handling units

Revision ID: 0012_console
Revises: 0011_quality
Create Date: 2026-12-02 12:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0012_console"
down_revision = "0011_quality"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("province_code", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_accounts_province_code"), ["province_code"])
    op.create_table(
        "units",
        sa.Column("code", sa.String(length=300), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("commune_code", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["province_code"], ["provinces.code"], name=op.f("fk_units_province_code_provinces")
        ),
        sa.ForeignKeyConstraint(
            ["commune_code"], ["communes.code"], name=op.f("fk_units_commune_code_communes")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_units")),
    )
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_units_province_code"), ["province_code"])
        batch_op.create_index(batch_op.f("ix_units_commune_code"), ["commune_code"])


def downgrade():
    op.drop_table("units")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounts_province_code"))
        batch_op.drop_column("retired_at")
        batch_op.drop_column("province_code")
