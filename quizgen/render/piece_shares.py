"""The pieces of one composed document shared over every core. Before the flashcards (or a single version's
worksheet or key) are composed, the pieces their piece store does not hold are split into shares, one per
core, and each share is laid out by a render worker of its own into the store; composing then finds every
piece there. A piece draws the same whichever pieces it is laid out with (each in the slot its key chooses,
card_pieces.py and stored_composer.py), so the bytes are those of one worker laying out all of them."""

from __future__ import annotations

from .card_composer import lay_out_and_store as lay_out_cards_and_store
from .card_composer import store_fingerprint
from .card_pieces import ComposedCards, piece_key
from .compose import TITLE_PIECE, ComposedDocument, NotComposable
from .piece_store import PieceStore, fonts_key
from .stored_composer import lay_out_and_store as lay_out_pieces_and_store
from .stored_composer import piece_keys

# pieces a share holds at least: a share costs its worker about 0.35 s of its own (a WeasyPrint document, its
# stylesheets and fonts, the cut and the store), the time of some 30 card sides
SMALLEST_SHARE = 60


def shares(document, jobs: int) -> list[tuple[str, ...]]:
    """The pieces of `document` that its store lacks, in up to `jobs` shares of about equal size; none when the
    document does not compose from a store, or has too few pieces to lay out to be worth sharing."""
    if jobs < 2 or not _composed_from_store(document):
        return []
    missing = [piece_id for piece_id, key in store_keys(document).items()
               if piece_id != TITLE_PIECE and not (document.store / f"{key}.piece").is_file()]
    count = min(jobs, len(missing) // SMALLEST_SHARE)
    return [tuple(missing[n::count]) for n in range(count)] if count > 1 else []


def lay_out_share(document, piece_ids: tuple[str, ...]) -> int:
    """In a render worker: lay out `piece_ids` of `document` into its piece store; how many were laid out.
    Pieces that do not compose are left to the document's own render, which lays the document out in full."""
    keys = store_keys(document)
    store = PieceStore(document.store, fonts_key(document.fingerprint))
    lay_out = lay_out_cards_and_store if isinstance(document, ComposedCards) else lay_out_pieces_and_store
    try:
        lay_out(document, list(piece_ids), keys, store, {}, {})
    except NotComposable:
        return 0
    return len(piece_ids)


def _composed_from_store(document) -> bool:
    if getattr(document, "store", None) is None:
        return False
    return isinstance(document, ComposedCards) or (isinstance(document, ComposedDocument)
                                                   and len(document.versions) == 1)


def store_keys(document) -> dict[str, str]:
    """Each piece's key in the store (and a worksheet's or key's running title's, which every share lays out)."""
    if isinstance(document, ComposedCards):
        fingerprint = store_fingerprint(document)
        return {piece_id: piece_key(document, piece_id, fingerprint) for piece_id in document.pieces}
    return piece_keys(document)
