"""Who may read and change the asset register through the API."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from servicedesk import roles


class AssetRegisterPermission(BasePermission):
    """Every signed-in user may read the register; only the Admin role may create, change or delete."""

    message = "Only an Admin may change the asset register."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return True
        return roles.role_of(user) == roles.ADMIN
