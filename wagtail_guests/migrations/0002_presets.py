from django.contrib.auth.management import create_permissions
from django.db import migrations

# Kept here (not imported from the models) so this migration never changes meaning.
PRESET_TAGS = [
    ("friends_family", "Friends & Family", False),
    ("business", "Business", False),
    ("influencer", "Influencer", False),
    ("local", "Local", False),
    ("no_show", "No-show", True),
    ("problematic", "Problematic", True),
    ("regular", "Regular", False),
    ("vip", "VIP", False),
]

GROUP_NAME = "Guest managers"
GUEST_PERMISSIONS = [
    ("wagtail_guests", "view_guest"),
    ("wagtail_guests", "add_guest"),
    ("wagtail_guests", "change_guest"),
    ("wagtail_guests", "delete_guest"),
    ("wagtail_guests", "export_guest"),
    ("wagtail_guests", "import_guest"),
    ("wagtail_guests", "anonymise_guest"),
    ("wagtail_guests", "view_booking"),
    ("wagtail_guests", "add_booking"),
    ("wagtail_guests", "change_booking"),
    ("wagtail_guests", "delete_booking"),
    ("wagtail_guests", "view_tag"),
    ("wagtail_guests", "add_tag"),
    ("wagtail_guests", "change_tag"),
    ("wagtail_guests", "delete_tag"),
    ("wagtailadmin", "access_admin"),
]


def create_presets(apps, schema_editor):
    Tag = apps.get_model("wagtail_guests", "Tag")
    for preset, name, warning in PRESET_TAGS:
        Tag.objects.get_or_create(preset=preset, defaults={"name": name, "is_warning": warning})


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure ours exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    for app_label, codename in GUEST_PERMISSIONS:
        permission = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()
        if permission is not None:
            group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("wagtail_guests", "0001_initial"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(create_presets, migrations.RunPython.noop),
        migrations.RunPython(create_group, migrations.RunPython.noop),
    ]
