"""Administrator settings: users, teams, roles, pipelines and stages, custom fields, tags.

Every page and every POST is for administrators only (others get the coded KZ-AUTH-003 page). Every
change goes through a service (validated, audited, ``via="ui"``); its coded errors are shown next to
the field they name, with status 422 (409 for a stage still in use).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kizuna.accounts import services as account_services
from kizuna.accounts.models import Team, User
from kizuna.accounts.visibility import ensure_admin
from kizuna.core.errors import KizunaError
from kizuna.core.permissions import POLICIES, Role, Scope
from kizuna.customers import services as customer_services
from kizuna.customers.custom_fields import custom_field_define
from kizuna.customers.models import (
    Company,
    Contact,
    CustomFieldDefinition,
    CustomFieldObject,
    CustomFieldType,
    Tag,
)
from kizuna.sales import services as sales_services
from kizuna.sales.models import Deal, Pipeline, Stage

from .forms import apply_errors

USERS_PER_PAGE = 50
View = Callable[..., HttpResponse]


def admin_required(view: View) -> View:
    """Sign-in, then administrators only: KZ-AUTH-003 (the coded 403 page) for everyone else."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        ensure_admin(request.user, action=_("change the settings"))
        return view(request, *args, **kwargs)

    return login_required(wrapper)


class Coded(forms.CharField):
    """A text or select input checked by the service, not by Django, so every error is a coded one.

    ``required`` only marks the label (and the browser's own check).
    """

    def validate(self, value: Any) -> None:
        return None


def _select(label: Any, choices: Any = (), *, required: bool = False) -> Coded:
    return Coded(label=label, required=required, widget=forms.Select(choices=choices))


def _attempt(form: forms.Form, action: Callable[[], Any]) -> bool:
    """Run a service call; on a coded error put it next to its field and say so."""
    try:
        action()
    except KizunaError as exc:
        apply_errors(form, exc)
        return False
    return True


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], *forms_: forms.Form | None
) -> HttpResponse:
    """Render a settings page: 422 when one of its forms carries errors."""
    invalid = any(f is not None and f.is_bound and f.errors for f in forms_)
    return render(request, f"web/settings/{template}", context, status=422 if invalid else 200)


def _team_choices() -> list[tuple[str, str]]:
    return [
        ("", "—"),
        *((str(pk), name) for pk, name in Team.objects.order_by("name").values_list("pk", "name")),
    ]


# --- index and roles -----------------------------------------------------------------------------


@admin_required
def index(request: HttpRequest) -> HttpResponse:
    counts = {
        "users": User.objects.filter(is_active=True).count(),
        "teams": Team.objects.count(),
        "pipelines": Pipeline.objects.count(),
        "custom_fields": CustomFieldDefinition.objects.filter(active=True).count(),
        "tags": Tag.objects.count(),
    }
    return render(request, "web/settings/index.html", {"counts": counts})


@admin_required
def roles(request: HttpRequest) -> HttpResponse:
    members = dict(User.objects.filter(is_active=True).values_list("role").annotate(n=Count("id")).order_by())
    rows = [
        {
            "role": Role(role).label,
            "view": Scope(policy.view).label,
            "edit": Scope(policy.edit).label,
            "delete": Scope(policy.delete).label,
            "administer": policy.administer,
            "members": members.get(role, 0),
        }
        for role, policy in POLICIES.items()
    ]
    return render(request, "web/settings/roles.html", {"rows": rows})


# --- users ---------------------------------------------------------------------------------------


class UserForm(forms.Form):
    username = Coded(label=_("User name"), required=True)
    display_name = Coded(label=_("Display name"), required=False)
    email = Coded(label=_("Email"), required=False, widget=forms.EmailInput)
    role = _select(_("Role"), Role.choices, required=True)
    team = _select(_("Team"))
    password = Coded(
        label=_("Password"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to generate one; it is shown once after saving."),
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].widget.choices = _team_choices()
        if editing:
            del self.fields["username"], self.fields["password"]


@admin_required
def users(request: HttpRequest) -> HttpResponse:
    form = UserForm(request.POST if request.method == "POST" else None, initial={"role": Role.SALES})
    created = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        password = data["password"] or account_services.password_generate()

        def create() -> None:
            account_services.user_admin_create(
                actor=request.user,
                username=data["username"],
                password=password,
                role=data["role"],
                team_id=data["team"],
                email=data["email"],
                display_name=data["display_name"],
                via="ui",
            )

        if _attempt(form, create):
            # Shown on this response only: never stored in a message cookie or the session.
            created = {"username": data["username"], "password": "" if data["password"] else password}
            messages.success(request, _("The user %(name)s was created.") % {"name": data["username"]})
            form = UserForm(initial={"role": Role.SALES})
    page = max(int(request.GET.get("page", "1")) if request.GET.get("page", "").isdigit() else 1, 1)
    start = (page - 1) * USERS_PER_PAGE
    rows = list(User.objects.select_related("team").order_by("username")[start : start + USERS_PER_PAGE + 1])
    context = {
        "form": form,
        "users": rows[:USERS_PER_PAGE],
        "page": page,
        "has_next": len(rows) > USERS_PER_PAGE,
        "created": created,
    }
    return _page(request, "users.html", context, form)


@admin_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User.objects.select_related("team"), pk=pk)
    initial = {
        "display_name": user.display_name,
        "email": user.email,
        "role": user.effective_role,  # a superuser shows (and stays) an administrator
        "team": str(user.team_id or ""),
    }
    form = UserForm(request.POST if request.method == "POST" else None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _attempt(
            form,
            lambda: account_services.user_admin_update(
                actor=request.user,
                user_id=user.pk,
                role=data["role"],
                team_id=data["team"],
                email=data["email"],
                display_name=data["display_name"],
                via="ui",
            ),
        ):
            messages.success(request, _("The user %(name)s was saved.") % {"name": user.username})
            return redirect("settings:users")
    return _page(request, "user_edit.html", {"form": form, "subject": user}, form)


@admin_required
@require_POST
def user_active(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        account_services.user_set_active(actor=request.user, user_id=user.pk, active=active, via="ui")
    except KizunaError as exc:
        form = UserForm(initial={"role": user.role, "team": str(user.team_id or "")}, editing=True)
        context = {"form": form, "subject": user, "error": exc}
        return render(request, "web/settings/user_edit.html", context, status=422)
    text = (
        _("%(name)s can sign in again.")
        if active
        else _("%(name)s was deactivated and can no longer sign in.")
    )
    messages.success(request, text % {"name": user.username})
    return redirect("settings:user_edit", pk=user.pk)


# --- teams ---------------------------------------------------------------------------------------


class NameForm(forms.Form):
    name = Coded(label=_("Name"), required=True)


def _teams_page(request: HttpRequest, form: NameForm, row_forms: dict[int, NameForm]) -> HttpResponse:
    teams = list(Team.objects.annotate(members_count=Count("members")).order_by("name"))
    for team in teams:
        team.form = row_forms.get(team.pk) or NameForm(  # type: ignore[attr-defined]
            prefix=f"team-{team.pk}", initial={"name": team.name}
        )
    return _page(request, "teams.html", {"form": form, "teams": teams}, form, *row_forms.values())


@admin_required
def teams(request: HttpRequest) -> HttpResponse:
    form = NameForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["name"]
        if _attempt(form, lambda: account_services.team_create(actor=request.user, name=name, via="ui")):
            messages.success(request, _("The team %(name)s was created.") % {"name": name})
            return redirect("settings:teams")
    return _teams_page(request, form, {})


@admin_required
@require_POST
def team_rename(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_object_or_404(Team, pk=pk)
    form = NameForm(request.POST, prefix=f"team-{team.pk}")
    if form.is_valid() and _attempt(
        form,
        lambda: account_services.team_rename(
            actor=request.user, team_id=team.pk, name=form.cleaned_data["name"], via="ui"
        ),
    ):
        messages.success(request, _("The team was renamed."))
        return redirect("settings:teams")
    return _teams_page(request, NameForm(), {team.pk: form})


# --- pipelines and stages ------------------------------------------------------------------------


class PipelineForm(forms.Form):
    name = Coded(label=_("Name"), required=True)
    is_default = forms.BooleanField(label=_("Default pipeline"), required=False)
    stages = Coded(
        label=_("Stages (one per line)"),
        required=True,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Set probabilities and the won and lost stages on the pipeline's page."),
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["stages"]


class StageForm(forms.Form):
    name = Coded(label=_("Stage name"), required=True)
    probability = Coded(
        label=_("Probability (%)"), required=False, widget=forms.NumberInput(attrs={"min": 0, "max": 100})
    )
    is_won = forms.BooleanField(label=_("Won"), required=False)
    is_lost = forms.BooleanField(label=_("Lost"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.prefix and self.prefix.startswith("stage-"):
            # A row of the stages table: its inputs belong to the row's form in the last cell.
            for field in self.fields.values():
                field.widget.attrs["form"] = f"{self.prefix}-form"


@admin_required
def pipelines(request: HttpRequest) -> HttpResponse:
    initial = {"stages": "\n".join(["リード", "提案", "交渉", "受注", "失注"])}
    form = PipelineForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        stages = [{"name": line.strip()} for line in data["stages"].splitlines() if line.strip()]
        created: list[Pipeline] = []
        if _attempt(
            form,
            lambda: created.append(
                sales_services.pipeline_create(
                    actor=request.user,
                    name=data["name"],
                    stages=stages,
                    is_default=data["is_default"],
                    via="ui",
                )
            ),
        ):
            messages.success(request, _("The pipeline was created. Now set each stage's probability."))
            return redirect("settings:pipeline_detail", pk=created[0].pk)
    rows = Pipeline.objects.prefetch_related(Prefetch("stages", Stage.objects.order_by("position")))
    return _page(request, "pipelines.html", {"form": form, "pipelines": rows}, form)


def _pipeline_page(
    request: HttpRequest,
    pipeline: Pipeline,
    *,
    form: PipelineForm | None = None,
    add_form: StageForm | None = None,
    row_forms: dict[int, StageForm] | None = None,
    error: KizunaError | None = None,
) -> HttpResponse:
    row_forms = row_forms or {}
    in_use = dict(
        Deal.objects.filter(pipeline=pipeline).values_list("stage_id").annotate(n=Count("id")).order_by()
    )
    stages = list(pipeline.stages.order_by("position"))
    for stage in stages:
        stage.deal_count = in_use.get(stage.pk, 0)  # type: ignore[attr-defined]
        stage.form = row_forms.get(stage.pk) or StageForm(  # type: ignore[attr-defined]
            prefix=f"stage-{stage.pk}",
            initial={
                "name": stage.name,
                "probability": stage.probability,
                "is_won": stage.is_won,
                "is_lost": stage.is_lost,
            },
        )
    form = form or PipelineForm(
        initial={"name": pipeline.name, "is_default": pipeline.is_default}, editing=True
    )
    add_form = add_form or StageForm(prefix="new")
    context = {"pipeline": pipeline, "form": form, "add_form": add_form, "stages": stages, "error": error}
    if error is not None:
        return render(request, "web/settings/pipeline_detail.html", context, status=error.spec.http_status)
    return _page(request, "pipeline_detail.html", context, form, add_form, *row_forms.values())


@admin_required
def pipeline_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pk)
    if request.method != "POST":
        return _pipeline_page(request, pipeline)
    form = PipelineForm(request.POST, editing=True)
    if form.is_valid() and _attempt(
        form,
        lambda: sales_services.pipeline_update(
            actor=request.user,
            pipeline_id=pipeline.pk,
            name=form.cleaned_data["name"],
            is_default=form.cleaned_data["is_default"],
            via="ui",
        ),
    ):
        messages.success(request, _("The pipeline was saved."))
        return redirect("settings:pipeline_detail", pk=pipeline.pk)
    return _pipeline_page(request, pipeline, form=form)


def _stage_data(form: StageForm) -> dict[str, Any]:
    return {k: form.cleaned_data[k] for k in ("name", "probability", "is_won", "is_lost")}


@admin_required
@require_POST
def stage_add(request: HttpRequest, pk: int) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pk)
    form = StageForm(request.POST, prefix="new")
    if form.is_valid() and _attempt(
        form,
        lambda: sales_services.stage_add(
            actor=request.user, pipeline_id=pipeline.pk, data=_stage_data(form), via="ui"
        ),
    ):
        messages.success(request, _("The stage was added."))
        return redirect("settings:pipeline_detail", pk=pipeline.pk)
    return _pipeline_page(request, pipeline, add_form=form)


@admin_required
@require_POST
def stage_update(request: HttpRequest, pk: int) -> HttpResponse:
    stage = get_object_or_404(Stage.objects.select_related("pipeline"), pk=pk)
    form = StageForm(request.POST, prefix=f"stage-{stage.pk}")
    if form.is_valid() and _attempt(
        form,
        lambda: sales_services.stage_update(
            actor=request.user, stage_id=stage.pk, data=_stage_data(form), via="ui"
        ),
    ):
        messages.success(request, _("The stage was saved."))
        return redirect("settings:pipeline_detail", pk=stage.pipeline_id)
    return _pipeline_page(request, stage.pipeline, row_forms={stage.pk: form})


def _reorder(request: HttpRequest, pipeline: Pipeline, stage_ids: list[Any]) -> HttpResponse:
    try:
        sales_services.stage_reorder(
            actor=request.user, pipeline_id=pipeline.pk, stage_ids=stage_ids, via="ui"
        )
    except KizunaError as exc:
        return _pipeline_page(request, pipeline, error=exc)
    messages.success(request, _("The stage order was saved."))
    return redirect("settings:pipeline_detail", pk=pipeline.pk)


@admin_required
@require_POST
def stage_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a stage one place up or down (the keyboard-friendly twin of drag and drop)."""
    stage = get_object_or_404(Stage.objects.select_related("pipeline"), pk=pk)
    order = list(
        Stage.objects.filter(pipeline_id=stage.pipeline_id).order_by("position").values_list("pk", flat=True)
    )
    index = order.index(stage.pk)
    target = index - 1 if request.POST.get("direction") == "up" else index + 1
    if 0 <= target < len(order):
        order[index], order[target] = order[target], order[index]
    return _reorder(request, stage.pipeline, order)


@admin_required
@require_POST
def stage_order(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the order of a drag and drop: ``stage`` repeated, top to bottom."""
    pipeline = get_object_or_404(Pipeline, pk=pk)
    return _reorder(request, pipeline, request.POST.getlist("stage"))


@admin_required
@require_POST
def stage_delete(request: HttpRequest, pk: int) -> HttpResponse:
    stage = get_object_or_404(Stage.objects.select_related("pipeline"), pk=pk)
    try:
        sales_services.stage_delete(actor=request.user, stage_id=stage.pk, via="ui")
    except KizunaError as exc:
        return _pipeline_page(request, stage.pipeline, error=exc)
    messages.success(request, _("The stage %(name)s was deleted.") % {"name": stage.name})
    return redirect("settings:pipeline_detail", pk=stage.pipeline_id)


# --- custom fields -------------------------------------------------------------------------------


class CustomFieldForm(forms.Form):
    object_type = _select(_("Record type"), CustomFieldObject.choices, required=True)
    key = Coded(
        label=_("Key"), required=True, help_text=_("Letters, digits and _; used in imports and the API.")
    )
    label_ja = Coded(label=_("Label (Japanese)"), required=True)
    label_en = Coded(label=_("Label (English)"), required=False)
    field_type = _select(_("Type"), CustomFieldType.choices, required=True)
    choices = Coded(
        label=_("Choices (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For the choice types only."),
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    unique = forms.BooleanField(label=_("Unique"), required=False)


@admin_required
def custom_fields(request: HttpRequest) -> HttpResponse:
    form = CustomFieldForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        choices = [line.strip() for line in data["choices"].splitlines() if line.strip()]
        if _attempt(
            form,
            lambda: custom_field_define(
                actor=request.user,
                object_type=data["object_type"],
                key=data["key"],
                label_ja=data["label_ja"],
                label_en=data["label_en"],
                field_type=data["field_type"],
                required=data["required"],
                unique=data["unique"],
                choices=choices,
                via="ui",
            ),
        ):
            messages.success(request, _("The custom field %(key)s was added.") % {"key": data["key"]})
            return redirect("settings:custom_fields")
    definitions = CustomFieldDefinition.objects.order_by("object_type", "position", "id")
    return _page(request, "custom_fields.html", {"form": form, "definitions": definitions}, form)


# --- tags ----------------------------------------------------------------------------------------


class TagForm(forms.Form):
    name = Coded(label=_("Name"), required=True)
    color = Coded(label=_("Colour"), required=True, widget=forms.TextInput(attrs={"type": "color"}))


def _tags_page(request: HttpRequest, form: TagForm, row_forms: dict[int, TagForm]) -> HttpResponse:
    contacts = dict(Contact.tags.through.objects.values_list("tag_id").annotate(n=Count("id")).order_by())
    companies = dict(Company.tags.through.objects.values_list("tag_id").annotate(n=Count("id")).order_by())
    tags = list(Tag.objects.order_by("name"))
    for tag in tags:
        tag.contact_count = contacts.get(tag.pk, 0)  # type: ignore[attr-defined]
        tag.company_count = companies.get(tag.pk, 0)  # type: ignore[attr-defined]
        tag.form = row_forms.get(tag.pk) or TagForm(  # type: ignore[attr-defined]
            prefix=f"tag-{tag.pk}", initial={"name": tag.name, "color": tag.color}
        )
    return _page(request, "tags.html", {"form": form, "tags": tags}, form, *row_forms.values())


@admin_required
def tags(request: HttpRequest) -> HttpResponse:
    form = TagForm(request.POST if request.method == "POST" else None, initial={"color": "#6b7280"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _attempt(
            form,
            lambda: customer_services.tag_create(
                actor=request.user, name=data["name"], color=data["color"], via="ui"
            ),
        ):
            messages.success(request, _("The tag %(name)s was created.") % {"name": data["name"]})
            return redirect("settings:tags")
    return _tags_page(request, form, {})


@admin_required
@require_POST
def tag_update(request: HttpRequest, pk: int) -> HttpResponse:
    tag = get_object_or_404(Tag, pk=pk)
    form = TagForm(request.POST, prefix=f"tag-{tag.pk}")
    if form.is_valid() and _attempt(
        form,
        lambda: customer_services.tag_update(
            actor=request.user,
            tag_id=tag.pk,
            name=form.cleaned_data["name"],
            color=form.cleaned_data["color"],
            via="ui",
        ),
    ):
        messages.success(request, _("The tag was saved."))
        return redirect("settings:tags")
    return _tags_page(request, TagForm(initial={"color": "#6b7280"}), {tag.pk: form})


@admin_required
@require_POST
def tag_delete(request: HttpRequest, pk: int) -> HttpResponse:
    tag = get_object_or_404(Tag, pk=pk)
    customer_services.tag_delete(actor=request.user, tag_id=tag.pk, via="ui")
    messages.success(request, _("The tag %(name)s was deleted.") % {"name": tag.name})
    return redirect("settings:tags")
