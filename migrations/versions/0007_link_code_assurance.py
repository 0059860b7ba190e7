"""link code assurance

Revision ID: 0007_link_code_assurance
Revises: 0006_bots
Create Date: 2026-11-23 17:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0007_link_code_assurance"
down_revision = "0006_bots"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("link_codes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("assurance", sa.String(length=16), nullable=False, server_default="phone")
        )


def downgrade():
    with op.batch_alter_table("link_codes", schema=None) as batch_op:
        batch_op.drop_column("assurance")
