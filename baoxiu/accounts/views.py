from django.contrib.auth.views import LoginView

from baoxiu.accounts.forms import ThrottledLoginForm


class StaffLoginView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = ThrottledLoginForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.locked:
            response.status_code = 429
        return response
