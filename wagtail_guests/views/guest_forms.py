"""Add, edit and delete a guest: the viewset's create, edit and delete views."""

from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages
from wagtail.admin.views.generic import CreateView, DeleteView, EditView

from ..actions.staff import add_guest, delete_guest, upcoming_bookings, update_guest
from ..forms_admin import AddGuestForm, guest_edit_handler
from ..models import Guest
from .common import guest_url, profile_url
from .forbidden import Forbidden403Mixin


class GuestCreateView(Forbidden403Mixin, CreateView):
    """The "Add guest" form (brief 000), through the same identity rule as the public forms."""

    model = Guest
    template_name = "wagtail_guests/admin/guest_form/create.html"
    page_title = gettext_lazy("Add guest")
    submit_button_label = gettext_lazy("Add guest")
    submit_button_active_label = gettext_lazy("Adding…")
    inspect_url_name = None

    def get_panel(self):
        return None

    def get_form_class(self):
        return AddGuestForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["for_user"] = self.request.user
        return kwargs

    def get_add_url(self):
        return guest_url("add", url_name=self.add_url_name)

    def form_valid(self, form):
        try:
            result = add_guest(
                form.guest_details(),
                user=self.request.user,
                arrival_date=form.cleaned_data.get("arrival_date"),
                departure_date=form.cleaned_data.get("departure_date"),
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        guest = result.guest
        if result.created:
            messages.success(self.request, _("Guest %(name)s added.") % {"name": guest.full_name})
        else:
            text = _(
                "%(name)s was already in your guest list: their profile was updated instead of "
                "creating a duplicate."
            ) % {"name": guest.full_name}
            if result.match.differences:
                text += " " + _("These details differ and were kept as they were: %(fields)s.") % {
                    "fields": ", ".join(
                        str(Guest._meta.get_field(name).verbose_name)
                        for name in result.match.differences
                    )
                }
            messages.warning(self.request, text)
        if result.booking is not None:
            messages.success(
                self.request,
                _("Booking %(reference)s created.") % {"reference": result.booking.reference},
            )
        return redirect(self.get_profile_url(guest))

    def get_profile_url(self, guest):
        return guest_url("inspect", guest, url_name=self.inspect_url_name) or profile_url(guest)


class GuestEditView(Forbidden403Mixin, EditView):
    """Edit every detail; the audit log and the timeline record which fields changed."""

    model = Guest
    success_message = gettext_lazy("The guest's details were updated.")

    def get_panel(self):
        return guest_edit_handler

    def get_form_class(self):
        return guest_edit_handler.get_form_class()

    def get_page_subtitle(self):
        return self.object.full_name

    def save_instance(self):
        return update_guest(
            self.form.instance, user=self.request.user, changed_fields=self.form.changed_fields()
        )

    def get_success_message(self):
        return str(self.success_message)

    def get_success_url(self):
        return (
            guest_url("inspect", self.object, url_name=self.inspect_url_name)
            or super().get_success_url()
        )


class GuestDeleteView(Forbidden403Mixin, DeleteView):
    """Delete a guest (brief 001): refused while the guest has an upcoming or current stay."""

    model = Guest
    template_name = "wagtail_guests/admin/guest_form/confirm_delete.html"
    page_title = gettext_lazy("Delete guest")
    inspect_url_name = None

    @cached_property
    def blocking_bookings(self):
        return list(upcoming_bookings(self.object).select_related("booker"))

    def get_page_subtitle(self):
        return self.object.full_name

    @property
    def confirmation_message(self):
        return _(
            "Are you sure you want to delete this guest? Deleting is permanent: the guest's "
            "details, tags, consent records, form submissions and timeline are erased. Past "
            "bookings are kept for your records and show *** instead of the guest's details."
        )

    def get_success_message(self):
        return _("Guest deleted.")

    def delete_action(self):
        # The action refuses (HTTP 403) if the guest has an upcoming stay, forged POST or not.
        delete_guest(self.object, user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["blocking_bookings"] = self.blocking_bookings
        context["profile_url"] = guest_url("inspect", self.object, url_name=self.inspect_url_name)
        return context
