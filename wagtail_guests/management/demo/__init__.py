"""The demo data of ``manage.py guests_demo``: who the guests are (:mod:`.plans`) and what
happens to them, through the project's actions (:mod:`.history`)."""
