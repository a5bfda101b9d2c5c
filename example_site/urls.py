from django.conf import settings
from django.conf.urls.static import static
from django.contrib.staticfiles.urls import staticfiles_urlpatterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Email provider webhooks: tracking events and guests' replies (docs/email.md).
    path("anymail/", include("anymail.urls")),
]
urlpatterns += staticfiles_urlpatterns()
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
# Public pages of wagtail-guests (unsubscribe links), before Wagtail's catch-all.
urlpatterns += [path("guests/", include("wagtail_guests.urls"))]
urlpatterns += [path("", include(wagtail_urls))]
