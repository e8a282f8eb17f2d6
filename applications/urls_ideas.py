from django.urls import path

from .views import ideas

urlpatterns = [
    path("ideeen/", ideas.my_ideas, name="my_ideas"),
    path("oproepen/<int:year>/ideeen/nieuw/", ideas.new_idea, name="new_idea"),
    path("oproepen/<int:year>/ideeen/", ideas.call_ideas, name="call_ideas"),
    path("ideeen/<slug:reference>/", ideas.idea_page, name="idea"),
    path("ideeen/<slug:reference>/bewaren/", ideas.autosave, name="idea_autosave"),
    path("ideeen/<slug:reference>/partners/", ideas.add_partner, name="idea_add_partner"),
    path(
        "ideeen/<slug:reference>/partners/<int:pk>/verwijderen/",
        ideas.remove_partner,
        name="idea_remove_partner",
    ),
]
