"""The lean baseline: the dashboard as a careful engineer would write it by
hand with Strawberry, over the gateway's tables (see ``bench/lean/app.py``)."""
