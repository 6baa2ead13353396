"""Every event type of SOEMS, one module per aggregate. Importing this package registers them."""
from schemas.events import (attempt, cohort, exam, grading, identity,  # noqa: F401
                            media, question)  # (registration on import)
from schemas.envelope import DomainEvent

ALL_EVENTS = DomainEvent.registry
