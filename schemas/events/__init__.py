"""Every event type of SOEMS, one module per aggregate. Importing this package registers them."""
from schemas.events import cohort, exam, identity, media, question  # noqa: F401  (registration on import)
from schemas.envelope import DomainEvent

ALL_EVENTS = DomainEvent.registry
