"""Every event type of SOEMS, one module per aggregate. Importing this package registers them."""
from schemas.events import (attempt, cohort, exam, identity, media,  # noqa: F401
                            question)  # (registration on import)
from schemas.envelope import DomainEvent

ALL_EVENTS = DomainEvent.registry
