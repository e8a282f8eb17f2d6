"""Access decorators shared by every app."""

from functools import wraps

from django.http import Http404


def login_required_404(view):
    """Like login_required, but an anonymous visitor gets a 404, not a login redirect.

    For pages about one object (an idea, an application, a score sheet): whether it exists is
    itself information, so nobody who is not logged in learns it. The 404 page offers the
    login with a link back (templates/404.html).
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
