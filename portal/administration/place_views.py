"""Places pages: a street office's communities, a community's grids and its buildings."""

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal.accounts.access import roles_required
from portal.accounts.models import Role
from portal.administration import places
from portal.administration.place_forms import (
    BuildingForm,
    CommunityForm,
    GridForm,
    MergeForm,
    MoveForm,
)
from portal.community.models import Building, Community, Grid
from portal.extensions import db
from portal.web.forms import status_for
from portal.web.htmx import redirect_to

bp = Blueprint("places", __name__, url_prefix="/admin")


def _community(community_id: int) -> Community:
    found = db.session.get(Community, community_id)
    if found is None or not current_user.administers(found.id):
        abort(404)
    return found


def _grid(grid_id: int) -> Grid:
    found = db.session.get(Grid, grid_id)
    if found is None or not current_user.administers(found.community_id):
        abort(404)
    return found


def _building(building_id: int) -> Building:
    found = db.session.get(Building, building_id)
    if found is None or not current_user.administers(found.grid.community_id):
        abort(404)
    return found


def _overview(grid_forms: dict | None = None):
    communities = places.communities_of(current_user)
    grid_forms = grid_forms or {}
    forms = {
        c.id: grid_forms.get(c.id) or GridForm(formdata=None, prefix=f"community-{c.id}")
        for c in communities
    }
    return render_template(
        "administration/places.html",
        communities=communities,
        forms=forms,
        people=places.people_per_building(communities),
        street_admin=bool(places.street_offices_of(current_user)),
    ), status_for(*forms.values())


@bp.get("/places/")
@roles_required(Role.ADMIN)
def overview():
    """Every grid and building of the communities the admin runs, with who lives where."""
    return _overview()


@bp.post("/communities/<int:community_id>/grids")
@roles_required(Role.ADMIN)
def add_grid(community_id: int):
    community = _community(community_id)
    form = GridForm(prefix=f"community-{community.id}")
    if form.validate():
        try:
            grid = places.add_grid(current_user, community, form.name.data)
        except places.NameTaken:
            form.name.errors.append(
                _("%(community)s has a grid of that name already.", community=community.name)
            )
        else:
            flash(_("%(name)s has been added.", name=grid.name), "success")
            return redirect_to(url_for("places.overview"))
    return _overview({community.id: form})


# Communities ------------------------------------------------------------------------------------


def _street_offices():
    offices = places.street_offices_of(current_user)
    if not offices:
        abort(403)
    return offices


@bp.route("/communities/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_community():
    """For the street office's admins: a new community, with its hotline and time zone."""
    offices = _street_offices()
    form = CommunityForm(offices)
    if form.validate_on_submit():
        office = next((o for o in offices if o.id == form.street_office.data), offices[0])
        try:
            community = places.add_community(
                current_user, office, form.name.data, form.hotline.data, form.timezone.data
            )
        except places.NameTaken:
            form.name.errors.append(_("A community of that name is on record already."))
        else:
            flash(_("%(name)s has been added.", name=community.name), "success")
            return redirect_to(url_for("places.overview"))
    return render_template(
        "administration/community_form.html", form=form, community=None
    ), status_for(form)


@bp.route("/communities/<int:community_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_community(community_id: int):
    _street_offices()
    community = _community(community_id)
    form = CommunityForm(data={"name": community.name, "hotline": community.hotline})
    if form.validate_on_submit():
        try:
            places.change_community(current_user, community, form.name.data, form.hotline.data)
        except places.NameTaken:
            form.name.errors.append(_("A community of that name is on record already."))
        else:
            flash(_("Saved: %(name)s.", name=community.name), "success")
            return redirect_to(url_for("places.overview"))
    return render_template(
        "administration/community_form.html", form=form, community=community
    ), status_for(form)


# Grids ------------------------------------------------------------------------------------------


def _grid_page(grid: Grid, rename: GridForm | None = None, merge: MergeForm | None = None):
    others = [other for other in grid.community.grids if other.id != grid.id]
    rename = rename or GridForm(formdata=None, data={"name": grid.name})
    merge = merge or MergeForm(others, formdata=None)
    return render_template(
        "administration/grid.html",
        grid=grid,
        others=others,
        rename=rename,
        merge=merge,
        people=places.people_per_building([grid.community]),
        people_in_grid=places.people_in_grid(grid),
    ), status_for(rename, merge)


@bp.get("/grids/<int:grid_id>")
@roles_required(Role.ADMIN)
def grid(grid_id: int):
    """A grid: its buildings, and renaming, merging or deleting it."""
    return _grid_page(_grid(grid_id))


@bp.post("/grids/<int:grid_id>/name")
@roles_required(Role.ADMIN)
def rename_grid(grid_id: int):
    found = _grid(grid_id)
    form = GridForm()
    if form.validate():
        try:
            places.rename_grid(current_user, found, form.name.data)
        except places.NameTaken:
            form.name.errors.append(
                _("%(community)s has a grid of that name already.", community=found.community.name)
            )
        else:
            flash(_("Saved: %(name)s.", name=found.name), "success")
            return redirect_to(url_for("places.grid", grid_id=found.id))
    return _grid_page(found, rename=form)


@bp.post("/grids/<int:grid_id>/merge")
@roles_required(Role.ADMIN)
def merge_grid(grid_id: int):
    """Ask, then merge the grid into another: its buildings, staff and records move there."""
    found = _grid(grid_id)
    others = [other for other in found.community.grids if other.id != found.id]
    form = MergeForm(others)
    if not form.validate():
        return _grid_page(found, merge=form)
    into = next(other for other in others if other.id == form.into.data)
    if "confirmed" not in request.form:
        return render_template(
            "administration/merge_confirm.html",
            grid=found,
            into=into,
            people=places.people_in_grid(found),
        )
    try:
        merged = places.merge_grids(current_user, found, into)
    except places.NameTaken as clash:
        form.into.errors.append(
            _(
                "Both grids have a building called %(name)s: rename one of them first.",
                name=clash.args[0],
            )
        )
        return _grid_page(found, merge=form)
    flash(
        ngettext(
            "Merged into %(grid)s: %(num)s building moved.",
            "Merged into %(grid)s: %(num)s buildings moved.",
            merged.buildings,
            grid=into.name,
        ),
        "success",
    )
    return redirect_to(url_for("places.grid", grid_id=into.id))


@bp.post("/grids/<int:grid_id>/delete")
@roles_required(Role.ADMIN)
def delete_grid(grid_id: int):
    found = _grid(grid_id)
    try:
        places.delete_grid(current_user, found)
    except places.PeopleOnRecord as kept:
        flash(
            ngettext(
                "%(num)s person on record lives in this grid: merge it into another grid instead.",
                "%(num)s people on record live in this grid: merge it into another grid instead.",
                kept.count,
            ),
            "error",
        )
    except places.HasHistory:
        flash(
            _(
                "Staff, help requests or delivery rounds name this grid: merge it into another grid instead."
            ),
            "error",
        )
    else:
        flash(_("%(name)s has been deleted.", name=found.name), "success")
        return redirect_to(url_for("places.overview"))
    return redirect_to(url_for("places.grid", grid_id=found.id))


# Buildings --------------------------------------------------------------------------------------


def _building_refused(form: BuildingForm, error: places.PlaceError) -> None:
    if isinstance(error, places.NameTaken):
        form.name.errors.append(_("The grid has a building of that name already."))
    else:
        form.grid.errors.append(_("Choose a grid of the building's community."))


@bp.route("/grids/<int:grid_id>/buildings/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_building(grid_id: int):
    found = _grid(grid_id)
    form = BuildingForm(found.community.grids, data={"grid": found.id})
    if form.validate_on_submit():
        try:
            building = places.add_building(current_user, form.details())
        except places.PlaceError as error:
            _building_refused(form, error)
        else:
            flash(_("%(name)s has been added.", name=building.name), "success")
            return redirect_to(url_for("places.grid", grid_id=building.grid_id))
    return render_template(
        "administration/building.html", form=form, grid=found, building=None
    ), status_for(form)


def _building_page(found: Building, form: BuildingForm | None = None, move: MoveForm | None = None):
    grids = found.grid.community.grids
    form = form or BuildingForm.of(grids, found)
    others = [b for grid in grids for b in grid.buildings if b.id != found.id]
    move = move or MoveForm(others, formdata=None)
    return render_template(
        "administration/building.html",
        form=form,
        move=move,
        grid=found.grid,
        building=found,
        others=others,
        people=places.people_in_building(found),
    ), status_for(form, move)


@bp.route("/buildings/<int:building_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def building(building_id: int):
    """A building's details; moving its residents to another, or deleting it when empty."""
    found = _building(building_id)
    form = BuildingForm(found.grid.community.grids)
    if request.method == "POST" and form.validate():
        try:
            places.change_building(current_user, found, form.details())
        except places.PlaceError as error:
            _building_refused(form, error)
        else:
            flash(_("Saved: %(name)s.", name=found.name), "success")
            return redirect_to(url_for("places.grid", grid_id=found.grid_id))
        return _building_page(found, form=form)
    if request.method == "POST":
        return _building_page(found, form=form)
    return _building_page(found)


@bp.post("/buildings/<int:building_id>/move")
@roles_required(Role.ADMIN)
def move_residents(building_id: int):
    found = _building(building_id)
    grids = found.grid.community.grids
    others = [b for grid in grids for b in grid.buildings if b.id != found.id]
    move = MoveForm(others)
    if not move.validate():
        return _building_page(found, move=move)
    into = next(b for b in others if b.id == move.into.data)
    moved = places.move_residents(current_user, found, into)
    flash(
        ngettext(
            "%(num)s person moved to %(building)s.",
            "%(num)s people moved to %(building)s.",
            moved,
            building=into.name,
        ),
        "success",
    )
    return redirect_to(url_for("places.building", building_id=found.id))


@bp.post("/buildings/<int:building_id>/delete")
@roles_required(Role.ADMIN)
def delete_building(building_id: int):
    found = _building(building_id)
    grid_id = found.grid_id
    try:
        places.delete_building(current_user, found)
    except places.PeopleOnRecord as kept:
        flash(
            ngettext(
                "%(num)s person on record lives here: move them to another building first.",
                "%(num)s people on record live here: move them to another building first.",
                kept.count,
            ),
            "error",
        )
        return redirect_to(url_for("places.building", building_id=found.id))
    flash(_("%(name)s has been deleted.", name=found.name), "success")
    return redirect_to(url_for("places.grid", grid_id=grid_id))
