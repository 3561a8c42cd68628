"""The catalogue's pages for a community's admins: its services in order, each with its names,
who gets it first, its price and hours, and its questions."""

from flask import Blueprint, abort, flash, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.accounts.access import roles_required
from portal.accounts.models import Role
from portal.community import services as community
from portal.help import catalogue, open_api
from portal.help.forms import ApiKeyForm, QuestionForm, ServiceForm
from portal.help.models import LANGUAGES, HelpService
from portal.web.forms import status_for
from portal.web.htmx import redirect_to

bp = Blueprint("help_catalogue", __name__, url_prefix="/help/catalogue")


def _community():
    """The admin's own community; 404 for an admin of the street office, who has none."""
    return current_user.community or abort(404)


@bp.get("/")
@roles_required(Role.ADMIN)
def index():
    found = _community()
    return render_template(
        "help/catalogue/index.html",
        services=catalogue.services_of(found.id, withdrawn=True),
        started=catalogue.has_catalogue(found.id),
    )


@bp.post("/start")
@roles_required(Role.ADMIN)
def start():
    catalogue.start(current_user, _community().id)
    flash(
        _("The six kinds of request are now your catalogue: change them and add more."), "success"
    )
    return redirect_to(url_for("help_catalogue.index"))


def _service(service_id: int) -> HelpService:
    return catalogue.service_of(_community().id, service_id) or abort(404)


def _form(service: HelpService | None, formdata=None) -> ServiceForm:
    if service is None or formdata is not None:
        form = ServiceForm(formdata=formdata)
    else:
        form = ServiceForm(
            formdata=None,
            code=service.code,
            category=service.category,
            handler=service.handler,
            partner=service.partner_id,
            charge=service.charge,
            price=service.price_fen,
            open_days=list(service.open_days),
            opens=service.opens,
            closes=service.closes,
            position=service.position,
            on_kiosk=service.on_kiosk,
            **{f"name_{lang.lower()}": service.names.get(lang) for lang in LANGUAGES},
            **{f"hint_{lang.lower()}": (service.hints or {}).get(lang) for lang in LANGUAGES},
        )
    form.partner.choices = [SelectChoice(0, _("None"))] + [
        SelectChoice(p.id, p.name) for p in community.partners_of(_community().id)
    ]
    return form


def _details(form: ServiceForm) -> catalogue.Details:
    return catalogue.Details(
        code=form.code.data,
        category=form.category.data,
        names={lang: words for lang in LANGUAGES if (words := form[f"name_{lang.lower()}"].data)},
        hints={lang: words for lang in LANGUAGES if (words := form[f"hint_{lang.lower()}"].data)},
        handler=form.handler.data,
        partner_id=form.partner.data or None,
        charge=form.charge.data,
        price_fen=form.price.data,
        open_days="".join(sorted(form.open_days.data)),
        opens=form.opens.data,
        closes=form.closes.data,
        position=form.position.data or 0,
        on_kiosk=form.on_kiosk.data,
    )


def _save(service: HelpService, form: ServiceForm):
    try:
        catalogue.save(current_user, service, _details(form))
    except catalogue.CodeTaken:
        form.code.errors.append(_("Another service has this code."))
        return None
    flash(_("The service is saved."), "success")
    return redirect_to(url_for("help_catalogue.service", service_id=service.id))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new():
    found = _community()
    form = _form(None, request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        saved = _save(HelpService(community_id=found.id), form)
        if saved:
            return saved
    return render_template("help/catalogue/service.html", form=form, service=None), status_for(form)


def _service_page(service, form=None, question_form=None):
    form = form or _form(service)
    question_form = question_form or QuestionForm(formdata=None)
    return render_template(
        "help/catalogue/service.html", form=form, service=service, question_form=question_form
    ), status_for(form, question_form)


@bp.route("/<int:service_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def service(service_id: int):
    found = _service(service_id)
    if request.method == "GET":
        return _service_page(found)
    form = _form(found, request.form)
    if form.validate_on_submit():
        saved = _save(found, form)
        if saved:
            return saved
    return _service_page(found, form=form)


@bp.post("/<int:service_id>/withdraw")
@roles_required(Role.ADMIN)
def withdraw(service_id: int):
    found = _service(service_id)
    if found.withdrawn_at is None:
        catalogue.withdraw(current_user, found)
    flash(_("The service is no longer offered. Requests already made keep it."), "success")
    return redirect_to(url_for("help_catalogue.index"))


@bp.post("/<int:service_id>/restore")
@roles_required(Role.ADMIN)
def restore(service_id: int):
    found = _service(service_id)
    catalogue.restore(current_user, found)
    flash(_("The service is offered again."), "success")
    return redirect_to(url_for("help_catalogue.service", service_id=service_id))


@bp.post("/<int:service_id>/questions")
@roles_required(Role.ADMIN)
def add_question(service_id: int):
    found = _service(service_id)
    form = QuestionForm()
    if not form.validate():
        return _service_page(found, question_form=form)
    texts = {lang: words for lang in LANGUAGES if (words := form[f"text_{lang.lower()}"].data)}
    catalogue.add_question(
        current_user, found, texts, form.kind.data, form.choice_list(), form.required.data
    )
    flash(_("The question is added."), "success")
    return redirect_to(url_for("help_catalogue.service", service_id=service_id))


@bp.post("/<int:service_id>/questions/<int:question_id>/remove")
@roles_required(Role.ADMIN)
def remove_question(service_id: int, question_id: int):
    found = _service(service_id)
    try:
        catalogue.remove_question(current_user, found, question_id)
    except LookupError:
        abort(404)
    flash(_("The question is removed."), "success")
    return redirect_to(url_for("help_catalogue.service", service_id=service_id))


def _keys_page(form=None, made=None):
    community_id = _community().id
    page = render_template(
        "help/catalogue/keys.html",
        form=form or ApiKeyForm(formdata=None),
        keys=open_api.keys_of(community_id),
        made=made,
        community_id=community_id,
    )
    response = make_response(page, status_for(form) if form else 200)
    if made:
        response.headers["Cache-Control"] = "no-store"  # the key is shown once
    return response


@bp.route("/keys", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def keys():
    """Keys for partners' applications to the open API: made here, shown once, revoked here."""
    form = ApiKeyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return _keys_page(form)
        made = open_api.make_key(current_user, _community().id, form.name.data)
        return _keys_page(made=made)
    return _keys_page()


@bp.post("/keys/<int:key_id>/revoke")
@roles_required(Role.ADMIN)
def revoke_key(key_id: int):
    found = open_api.key_of(_community().id, key_id) or abort(404)
    open_api.revoke(current_user, found)
    flash(_("The key of %(name)s no longer works.", name=found.name), "success")
    return redirect_to(url_for("help_catalogue.keys"))
