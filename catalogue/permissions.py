from rest_framework.permissions import SAFE_METHODS, BasePermission

from servicedesk import roles


class ReadOrAdminRoleWrites(BasePermission):
    """Any signed-in user reads the catalogue; only the Admin role changes it."""

    message = "Only the Admin role can change the service catalogue."

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or roles.role_of(request.user) == roles.ADMIN
