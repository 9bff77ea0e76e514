from django.urls import path

from home import views

# Not namespaced: "dashboard" is the site's home page, named by LOGIN_REDIRECT_URL and
# every page's header.
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
