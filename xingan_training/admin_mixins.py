class ReadOnlyAdminMixin:
    """Admin pages that show rows but never write them: those rows change only through services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
