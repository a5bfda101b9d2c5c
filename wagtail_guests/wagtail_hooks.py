"""Registration only: Wagtail hooks of wagtail-guests. The work lives in the modules imported."""

from wagtail import hooks

# --- Public form blocks -------------------------------------------------------------------

# --- Admin ----------------------------------------------------------------------------------
