"""The demo catalogue: a few products and bookable services per store, created once."""

from __future__ import annotations

from .models import Product, Service, db

PRODUCTS = {
    "default": [
        ("Medjool dates, 1 kg · تمر مجدول", "Soft dates from Al-Madinah.", 2490),
        ("Arabic coffee with cardamom · قهوة عربية", "Light roast, ground with cardamom.", 1450),
        ("Olive oil, extra virgin · Olio extravergine", "Cold-pressed in Puglia, 750 ml.", 1890),
        ("Challah baking kit · ערכת חלה", "Flour, yeast and a braiding guide.", 1200),
        ("Espresso cups, set of 6 · Tazzine", "Porcelain, made in Italy.", 3200),
        ("Za'atar spice mix · זעתר", "Hyssop, sumac and sesame.", 690),
    ],
    "second": [
        ("Handmade ceramic bowl", "Glazed by hand, 18 cm.", 3900),
        ("Linen tea towel · منشفة كتان", "Stonewashed linen.", 1500),
        ("Honey from the Galilee · דבש", "Wildflower honey, 500 g.", 1750),
    ],
}

SERVICES = {
    "default": [
        ("Barista class · Corso di caffè", 90, 4500),
        ("Personal shopping session", 45, 0),
        ("Cooking workshop · ورشة طبخ", 120, 6000),
    ],
    "second": [
        ("Pottery lesson · שיעור קדרות", 60, 3500),
        ("Studio visit", 30, 0),
    ],
}


def ensure_catalog(store_ids: list[str], currency: str) -> None:
    """Create the demo products and services of each store that has none yet."""
    for store_id in store_ids:
        if db.session.scalar(db.select(Product.id).filter_by(store_id=store_id).limit(1)):
            continue
        for name, description, cents in PRODUCTS.get(store_id, PRODUCTS["second"]):
            db.session.add(
                Product(
                    store_id=store_id,
                    name=name,
                    description=description,
                    price_cents=cents,
                    currency=currency,
                )
            )
        for name, minutes, cents in SERVICES.get(store_id, SERVICES["second"]):
            db.session.add(
                Service(
                    store_id=store_id,
                    name=name,
                    duration_minutes=minutes,
                    price_cents=cents,
                    currency=currency,
                )
            )
    db.session.commit()
