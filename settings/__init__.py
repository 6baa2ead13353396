"""One typed settings object for every SOEMS process.

Every value comes from an environment variable with the ``SOEMS_`` prefix (for example
``SOEMS_POSTGRES_PORT``), then from ``$SOEMS_HOME/secrets.env`` (passwords the local stack
generated on its first install), then from the defaults below. Defaults point at the local
stack on 127.0.0.1 with ports chosen not to clash with standard installs. Pointing SOEMS at
existing servers is a matter of setting the host, port and credentials of a component and
leaving it out of ``SOEMS_STACK_COMPONENTS``.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

CHECKOUT_ROOT = Path(__file__).resolve().parents[1]
COMPONENTS = ("postgres", "redis", "mongo", "kafka", "s3", "smtp")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SOEMS_", extra="ignore")

    # Where the local stack keeps its data, logs and pid files (git-ignored).
    home: Path = CHECKOUT_ROOT / ".soems"
    # Where downloads and builds are cached, outside the checkout so clones share them.
    cache_dir: Path = Path.home() / ".cache" / "soems"
    # Which components `soems stack` runs locally; the others are expected to be reachable
    # at their configured host and port (an existing server).
    stack_components: str = ",".join(COMPONENTS)
    # Seconds a component may take to answer its protocol check after it is started.
    stack_start_timeout: float = 90.0

    kafka_host: str = "127.0.0.1"
    kafka_port: int = 19092
    kafka_controller_port: int = 19093
    kafka_heap: str = "768m"

    postgres_host: str = "127.0.0.1"
    postgres_port: int = 15432
    # The database's administrator: migrations (`soems db migrate`), tests and tools. The
    # services connect as their own least-privilege roles (eventlog/migrate.py).
    postgres_user: str = "soems"
    postgres_password: str = ""
    postgres_db: str = "soems"
    postgres_command_password: str = ""
    postgres_relay_password: str = ""
    postgres_projection_password: str = ""
    postgres_query_password: str = ""
    postgres_auditor_password: str = ""

    redis_host: str = "127.0.0.1"
    redis_port: int = 16379
    redis_password: str = ""

    mongo_host: str = "127.0.0.1"
    mongo_port: int = 37017
    # The local FerretDB authenticates clients as this PostgreSQL role (password generated).
    mongo_user: str = "soems_documents"
    mongo_password: str = ""
    mongo_db: str = "soems"
    mongo_debug_port: int = 37018

    s3_host: str = "127.0.0.1"
    s3_port: int = 19000
    s3_console_port: int = 19001
    s3_secure: bool = False
    s3_region: str = "us-east-1"
    s3_access_key: str = "soems"
    s3_secret_key: str = ""
    s3_bucket: str = "soems"

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 11025
    smtp_user: str = "soems"
    smtp_password: str = ""  # generated for the local Mailpit
    # Mailpit's HTTP API and web UI, where locally sent mail can be read back.
    smtp_api_port: int = 18025
    # Mail the platform sends (notifications): who it is from, whether to STARTTLS, where
    # links in it point (the SPA's address as people reach it; default: the gateway).
    mail_from: str = "SOEMS <no-reply@soems.local>"
    smtp_starttls: bool = False
    public_url: str = ""
    # A reminder goes out this many hours before an exam's window opens.
    exam_reminder_hours: float = 24
    # Analysts read an exam's figures only over at least this many graded attempts: the mean
    # of two students' scores, with one of them known, gives away the other's.
    analytics_min_cohort: int = Field(default=5, ge=1)
    # A message the SMTP server keeps refusing is given up after this many tries.
    notification_max_attempts: int = 8
    # Events older than this email nobody: a notifier started on (or replaying) a long log
    # does not announce exams long past; one that was down a day still catches up.
    notification_max_age_hours: float = 48

    # HTTP services
    command_api_port: int = 8000
    # Processes of the command API (uvicorn --workers): one is pegged on a core during exam
    # day's Start burst; two share the port. /metrics then sums every process's series.
    command_api_processes: int = 2
    query_api_port: int = 8001
    # How long the APIs keep an idle HTTP connection open. Longer than the gateway's upstream
    # keepalive_timeout (60 s) and any client pool's expiry (httpx: 5 s), so the client side
    # always closes first: otherwise a request sent on a connection the API is just closing
    # dies unanswered, and nginx does not retry a POST (the user gets a 502).
    api_keep_alive_seconds: int = 75
    # The gateway (nginx): the SPA and both APIs under /api/, one origin for browsers.
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8080
    # Background workers (relay, projections) serve Prometheus metrics on 127.0.0.1 at
    # this port and the next ones (eventlog.metrics); the APIs serve theirs at /metrics.
    metrics_port_base: int = 9400
    # Who may read the APIs' /metrics (comma-separated CIDRs): Prometheus's network.
    metrics_allow_from: str = "127.0.0.0/8,::1/128"
    # The coding judge: programs one judge worker runs at once (0: one per CPU core), and the
    # judge requests it holds in memory (read ahead of its runs, shared out fairly between
    # exams) before it stops fetching more; the rest wait in Kafka.
    judge_concurrency: int = 0
    judge_read_ahead: int = 5000
    # Students may create their own accounts; teachers, proctors and admins are made by admins.
    self_registration: bool = True

    # Tokens: HS256 with a secret generated into secrets.env by the local stack.
    jwt_secret: str = ""
    # Ed25519 key that signs the log's checkpoints (32 random bytes, URL-safe base64).
    audit_signing_key: str = ""
    # Wraps every person's data key (crypto-shredding; 32 random bytes, URL-safe base64).
    personal_data_key: str = ""
    jwt_issuer: str = "soems"
    jwt_audience: str = "soems-api"
    access_token_minutes: int = 15
    refresh_token_days: int = 7
    # A refresh token spent this recently may be spent again (two tabs refreshing at once);
    # later, a second use is taken as theft and ends the whole session.
    refresh_reuse_grace_seconds: float = 10
    # Self-registrations one client address may make per hour.
    registrations_per_address_per_hour: int = 30
    # The largest request body either API reads (bytes); a larger one is 413.
    max_request_body_bytes: int = 1_048_576
    # The largest question file (CSV, QTI package, Moodle XML) an import reads (bytes).
    max_import_bytes: int = 20 * 1_048_576
    # Browser origins other than the gateway's own that may call the APIs (CORS); none.
    cors_allow_origins: list[str] = []

    @field_validator(
        "command_api_port", "query_api_port", "gateway_port", "metrics_port_base",
        "kafka_port", "kafka_controller_port", "postgres_port", "redis_port", "mongo_port",
        "mongo_debug_port", "s3_port", "s3_console_port", "smtp_port", "smtp_api_port",
    )
    @classmethod
    def _port_in_range(cls, port: int) -> int:
        if not 1 <= port <= 65535:
            raise ValueError(f"port must be between 1 and 65535, got {port}")
        return port

    @field_validator("metrics_allow_from")
    @classmethod
    def _networks(cls, value: str) -> str:
        from ipaddress import ip_network

        for cidr in filter(None, (c.strip() for c in value.split(","))):
            ip_network(cidr)  # ValueError names the bad network
        return value

    @field_validator("stack_components")
    @classmethod
    def _known_components(cls, value: str) -> str:
        names = [n.strip() for n in value.split(",") if n.strip()]
        unknown = sorted(set(names) - set(COMPONENTS))
        if unknown:
            raise ValueError(f"unknown component(s) {unknown}; known: {list(COMPONENTS)}")
        return ",".join(n for n in COMPONENTS if n in names)

    @property
    def managed_components(self) -> list[str]:
        return [n for n in self.stack_components.split(",") if n]

    @property
    def secrets_file(self) -> Path:
        return self.home / "secrets.env"

    # Addresses and connection strings, derived so there is one place to change a server.
    @property
    def kafka_bootstrap(self) -> str:
        return f"{self.kafka_host}:{self.kafka_port}"

    def postgres_role_password(self, service: str) -> str:
        """The password of a service's PostgreSQL role (command, relay, projection, query)."""
        return getattr(self, f"postgres_{service}_password")

    @property
    def postgres_dsn(self) -> str:
        auth = quote(self.postgres_user, safe="")
        if self.postgres_password:
            auth += ":" + quote(self.postgres_password, safe="")
        return f"postgresql://{auth}@{self.postgres_host}:{self.postgres_port}/{self.postgres_db}"

    @property
    def redis_url(self) -> str:
        auth = f":{quote(self.redis_password, safe='')}@" if self.redis_password else ""
        return f"redis://{auth}{self.redis_host}:{self.redis_port}/0"

    @property
    def mongo_uri(self) -> str:
        auth = ""
        if self.mongo_user and self.mongo_password:
            auth = f"{quote(self.mongo_user, safe='')}:{quote(self.mongo_password, safe='')}@"
            # FerretDB 1.x hands the credentials to PostgreSQL: PLAIN, on the loopback only.
            return f"mongodb://{auth}{self.mongo_host}:{self.mongo_port}/?authMechanism=PLAIN"
        return f"mongodb://{self.mongo_host}:{self.mongo_port}/"

    @property
    def s3_endpoint_url(self) -> str:
        scheme = "https" if self.s3_secure else "http"
        return f"{scheme}://{self.s3_host}:{self.s3_port}"

    @property
    def site_url(self) -> str:
        return (self.public_url or f"http://{self.gateway_host}:{self.gateway_port}").rstrip("/")

    @property
    def smtp_api_url(self) -> str:
        return f"http://{self.smtp_host}:{self.smtp_api_port}"


def load_settings(**overrides) -> Settings:
    """Settings from the environment, with the local stack's generated secrets as fallback."""
    home = Settings(**overrides).home
    return Settings(_env_file=home / "secrets.env", **overrides)


@lru_cache
def get_settings() -> Settings:
    return load_settings()
