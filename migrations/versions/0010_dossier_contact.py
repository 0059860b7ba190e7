"""dossier contact phone: the number on the portal's latest record, in one normal form, so a
citizen who proved that number by a one-time code finds the dossier (an indexed look-up)

Revision ID: 0010_dossier_contact
Revises: 0009_support
Create Date: 2026-12-02 12:40:00

"""

import sqlalchemy as sa
from alembic import op

from api.kernel.phone import normalise_phone

revision = "0010_dossier_contact"
down_revision = "0009_support"
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade():
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("contact_phone", sa.String(length=16), nullable=False, server_default="")
        )
        batch_op.create_index("ix_dossiers_contact_phone", ["contact_phone"])
    bind = op.get_bind()
    dossiers = sa.table(
        "dossiers", sa.column("id", sa.Integer), sa.column("phone"), sa.column("contact_phone")
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(dossiers.c.id, dossiers.c.phone)
            .where(dossiers.c.id > last, dossiers.c.phone != "")
            .order_by(dossiers.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        last = rows[-1].id
        values = [
            {"b_id": r.id, "b_phone": phone} for r in rows if (phone := normalise_phone(r.phone))
        ]
        if values:
            bind.execute(
                dossiers.update()
                .where(dossiers.c.id == sa.bindparam("b_id"))
                .values(contact_phone=sa.bindparam("b_phone")),
                values,
            )


def downgrade():
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.drop_index("ix_dossiers_contact_phone")
        batch_op.drop_column("contact_phone")
