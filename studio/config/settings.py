"""Settings models, one per area of the studio.

Each area is a table in ``config.toml`` (``[api]``, ``[ui]`` ...). Environment variables override
the file: ``STUDIO_<AREA>_<FIELD>`` (e.g. ``STUDIO_API_PORT=9000``; lists as JSON). Secrets
(API keys, stream keys, passwords) never live here: they go to :mod:`studio.config.secrets`.

Field ``description`` texts are shown as tooltips in the settings dialog; ``json_schema_extra``
``{"hidden": True}`` keeps a field out of the dialog.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

CONFIG_VERSION = 1

LanguageCode = Literal["system", "zh_CN", "en", "ja"]
ThemeName = Literal["system", "light", "dark"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
Port = Annotated[int, Field(ge=1, le=65535)]


class AreaSettings(BaseSettings):
    """Base of the per-area settings: env vars win over the file, unknown keys are ignored."""

    area: ClassVar[str] = ""
    title: ClassVar[str] = ""

    model_config = SettingsConfigDict(extra="ignore", validate_default=True)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment first: STUDIO_* overrides what the TOML file (passed as init kwargs) says.
        return (env_settings, init_settings)


class ApiSettings(AreaSettings):
    """Local HTTP/WebSocket API."""

    area: ClassVar[str] = "api"
    title: ClassVar[str] = "API"
    model_config = SettingsConfigDict(env_prefix="STUDIO_API_", extra="ignore")

    enabled: bool = Field(True, description="Serve the local API while the studio runs.")
    host: str = Field(
        "127.0.0.1",
        description="Interface to listen on. Anything but loopback exposes the studio to the network.",
    )
    port: Port = Field(8765, description="Main API port.")
    legacy_ports: bool = Field(
        False,
        description=(
            "Serve the compatible APIs on their original ports too (9080, 5001, 8888, 9880, 7861, 12393)."
        ),
    )
    allow_loopback_origins: bool = Field(
        True, description="Let web pages served from this computer (any port) call the API."
    )
    allowed_origins: list[str] = Field(
        default_factory=list,
        description="Other web origins allowed to call the API from a browser (CORS), e.g. https://example.com.",
    )
    max_body_mb: int = Field(10, ge=1, le=4096, description="Largest request body accepted, in MiB.")
    gpt_sovits_control_exit: bool = Field(
        False,
        description="Let GPT-SoVITS clients stop the engine with /control?command=exit (off: refused).",
    )
    max_model_upload_mb: int = Field(
        8192, ge=1, le=65536, description="Largest voice model archive accepted by the import route, in MiB."
    )

    @field_validator("host")
    @classmethod
    def _host_not_empty(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()


class UiSettings(AreaSettings):
    """Desktop window."""

    area: ClassVar[str] = "ui"
    title: ClassVar[str] = "Interface"
    model_config = SettingsConfigDict(env_prefix="STUDIO_UI_", extra="ignore")

    language: LanguageCode = Field("system", description="Interface language.")
    theme: ThemeName = Field("system", description="Light or dark colours.")
    confirm_on_quit_while_live: bool = Field(True, description="Ask before quitting while streaming.")


class AudioSettings(AreaSettings):
    """Sound devices."""

    area: ClassVar[str] = "audio"
    title: ClassVar[str] = "Audio"
    model_config = SettingsConfigDict(env_prefix="STUDIO_AUDIO_", extra="ignore")

    output_device: str = Field("", description="Speaker device name; empty for the system default.")
    input_device: str = Field("", description="Microphone device name; empty for the system default.")


class TtsSettings(AreaSettings):
    """Voices. Keys of remote services live in the secrets store, not here."""

    area: ClassVar[str] = "tts"
    title: ClassVar[str] = "Voice"
    model_config = SettingsConfigDict(env_prefix="STUDIO_TTS_", extra="ignore")

    voice: str = Field(
        "", description="Voice used for speech; empty picks the default voice of each language."
    )
    zh_voice: str = Field("", description="Default Mandarin voice id; empty for the built-in one.")
    en_voice: str = Field("", description="Default English voice id; empty for the built-in one.")
    ja_voice: str = Field("", description="Default Japanese voice id; empty for the built-in one.")
    speed: float = Field(1.0, ge=0.5, le=2.0, description="Speaking rate (0.5-2.0).")
    pitch: float = Field(
        0.0, ge=-12, le=12, description="Pitch shift in semitones, where the voice supports it."
    )
    volume: float = Field(1.0, ge=0.0, le=2.0, description="Voice volume (0-2).")
    gpt_sovits_url: str = Field(
        "", description="GPT-SoVITS api_v2 server, e.g. http://127.0.0.1:9880; empty = off."
    )
    gpt_sovits_ref_audio: str = Field("", description="Reference audio path on the GPT-SoVITS server.")
    gpt_sovits_prompt_text: str = Field("", description="Transcript of the reference audio.")
    gpt_sovits_prompt_lang: str = Field("zh", description="Language of the reference audio (zh, en, ja ...).")
    gpt_sovits_streaming_mode: int = Field(2, ge=0, le=3, description="GPT-SoVITS streaming mode (0-3).")
    openai_tts_url: str = Field(
        "", description="OpenAI-compatible API base, e.g. https://api.openai.com/v1; empty = off."
    )
    openai_tts_model: str = Field("tts-1", description="Speech model name of that service.")
    openai_tts_voice: str = Field("alloy", description="Voice name of that service.")
    voxcpm_model: str = Field(
        "", description="Imported VoxCPM model to load (Voice -> Models); empty = VoxCPM off."
    )
    voxcpm_device: Literal["auto", "cpu", "cuda", "mps"] = Field(
        "auto", description="Where VoxCPM runs: auto picks CUDA, then Apple MPS, then the CPU."
    )
    clone_speaker: str = Field(
        "",
        description="Speaker (Voice -> Speakers) that cloning voices imitate; empty = the model's own voice.",
    )


class StorageSettings(AreaSettings):
    """Database durability."""

    area: ClassVar[str] = "storage"
    title: ClassVar[str] = "Storage"
    model_config = SettingsConfigDict(env_prefix="STUDIO_STORAGE_", extra="ignore")

    synchronous: Literal["FULL", "NORMAL"] = Field(
        "FULL", description="FULL survives power loss; NORMAL is faster and survives a crash of the app."
    )


class LoggingSettings(AreaSettings):
    """Log file."""

    area: ClassVar[str] = "logging"
    title: ClassVar[str] = "Logging"
    model_config = SettingsConfigDict(env_prefix="STUDIO_LOGGING_", extra="ignore")

    level: LogLevel = Field("INFO", description="Least important messages written to the log.")
    max_file_mb: int = Field(5, ge=1, le=1024, description="Size at which the log file rotates, in MiB.")
    keep_files: int = Field(5, ge=1, le=100, description="Old log files kept.")


class AvatarAreaSettings(AreaSettings):
    """The avatar shown and its OBS window."""

    area: ClassVar[str] = "avatar"
    title: ClassVar[str] = "Avatar"
    model_config = SettingsConfigDict(env_prefix="STUDIO_AVATAR_", extra="ignore")

    current: str = Field("default", description="Id of the avatar shown (see the avatar library).")
    window_size: Literal["720p", "1080p"] = Field("720p", description="Size of the avatar (OBS) window.")
    window_background: str = Field(
        "", description="Background colour of the avatar window, e.g. #00ff00; empty = the avatar's own."
    )
    window_on_top: bool = Field(False, description="Keep the avatar window above other windows.")

    @field_validator("current")
    @classmethod
    def _current_not_empty(cls, value: str) -> str:
        return value.strip() or "default"


StreamPresetId = Literal["custom", "bilibili", "douyin", "kuaishou", "twitch", "youtube", "xiaohongshu"]
RecordFormat = Literal["mp4", "mkv", "flv"]


class ExtraOutputSettings(BaseModel):
    """One more RTMP destination sharing the same encode (its stream key is in the secrets store
    under ``stream.key.<id>``)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")
    preset: StreamPresetId = "custom"
    server: str = ""
    enabled: bool = True


class StreamSettings(AreaSettings):
    """Going live: encoder, RTMP destinations, reconnection and local recording.

    Stream keys never live here: the main key is the secret ``stream.key``, extra outputs use
    ``stream.key.<id>``.
    """

    area: ClassVar[str] = "stream"
    title: ClassVar[str] = "Stream"
    model_config = SettingsConfigDict(env_prefix="STUDIO_STREAM_", extra="ignore")

    preset: StreamPresetId = Field("custom", description="Platform preset (fills server, size and bitrate).")
    server: str = Field(
        "", description="RTMP or RTMPS server URL, e.g. rtmp://live-push.bilivideo.com/live-bvc/ (no key)."
    )
    width: int = Field(1280, ge=160, le=3840, description="Stream width in pixels (even).")
    height: int = Field(720, ge=120, le=2160, description="Stream height in pixels (even).")
    fps: int = Field(30, ge=10, le=60, description="Frames per second.")
    video_bitrate_kbps: int = Field(2500, ge=200, le=20000, description="Video bitrate (constant), kbit/s.")
    audio_bitrate_kbps: int = Field(160, ge=64, le=320, description="AAC audio bitrate, kbit/s.")
    video_encoder: Literal["auto", "libx264", "h264_nvenc", "h264_qsv", "h264_amf", "h264_videotoolbox"] = (
        Field("auto", description="H.264 encoder; auto uses a hardware one when it opens, else libx264.")
    )
    x264_preset: Literal["ultrafast", "superfast", "veryfast", "faster", "fast", "medium"] = Field(
        "veryfast", description="libx264 speed preset (faster = less CPU, lower quality)."
    )
    keyframe_s: float = Field(2.0, ge=0.5, le=10.0, description="Seconds between keyframes.")
    background: str = Field("#1f2430", description="Stream background colour behind the avatar.")
    reconnect_retries: int = Field(
        30, ge=0, le=10000, description="Reconnection attempts after a connection loss (0 = never give up)."
    )
    reconnect_delay_s: float = Field(1.0, ge=0.1, le=60.0, description="First reconnection delay, seconds.")
    reconnect_max_delay_s: float = Field(
        15.0, ge=0.5, le=600.0, description="Longest reconnection delay (the delay doubles up to it)."
    )
    record_with_stream: bool = Field(False, description="Record locally whenever you go live.")
    record_format: RecordFormat = Field("mp4", description="Recording file format (mp4, mkv or flv).")
    extra_outputs: list[ExtraOutputSettings] = Field(
        default_factory=list,
        description="More RTMP destinations sharing the encode.",
        json_schema_extra={"hidden": True},
    )

    @field_validator("width", "height")
    @classmethod
    def _even(cls, value: int) -> int:
        return value - (value % 2)


SMTP_PASSWORD_SECRET = "smtp.password"  # noqa: S105 (a name in the secrets store)
SmtpSecurity = Literal["starttls", "tls", "none"]


class SmtpSettings(AreaSettings):
    """Mail server for e-mail codes (registration, password reset)."""

    area: ClassVar[str] = "smtp"
    title: ClassVar[str] = "E-mail (SMTP)"
    model_config = SettingsConfigDict(env_prefix="STUDIO_SMTP_", extra="ignore")

    host: str = Field("", description="SMTP server name, e.g. smtp.example.com; empty = no e-mail codes.")
    port: Port = Field(587, description="SMTP port: 587 for STARTTLS, 465 for TLS, 25 for none.")
    security: SmtpSecurity = Field(
        "starttls",
        description="starttls (upgrade after connecting), tls (TLS at once) or none (local tests only).",
    )
    username: str = Field("", description="Login name at the SMTP server; empty = no login.")
    from_address: str = Field("", description="Sender address of the code mails; empty = the login name.")
    from_name: str = Field("Cream Studio", description="Sender name shown in the mail program.")
    verify_certificate: bool = Field(True, description="Check the server's TLS certificate (leave on).")
    ca_file: str = Field(
        "", description="Extra CA certificate file (PEM) to trust, for a server with its own certificate."
    )
    timeout_s: float = Field(15.0, ge=1.0, le=120.0, description="Give up on the server after this long.")

    @field_validator("host", "username", "from_address", "ca_file")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @property
    def sender(self) -> str:
        """The envelope sender address."""
        return self.from_address or self.username

    @property
    def configured(self) -> bool:
        """True when codes can be sent (a host and a sender address)."""
        return bool(self.host and "@" in self.sender)


LLM_API_KEY_SECRET = "llm.api_key"  # noqa: S105 (a name in the secrets store)

LlmProviderId = Literal[
    "openai",
    "deepseek",
    "siliconflow",
    "volcano_ark",
    "hunyuan",
    "zhipu",
    "moonshot",
    "dashscope",
    "ollama",
    "lmstudio",
    "custom",
]


class LlmSettings(AreaSettings):
    """Chat model (LLM) provider, model and limits. The key is in the secrets store."""

    area: ClassVar[str] = "llm"
    title: ClassVar[str] = "Chat model (LLM)"
    model_config = SettingsConfigDict(env_prefix="STUDIO_LLM_", extra="ignore")

    provider: LlmProviderId = Field(
        "deepseek",
        description="Provider preset: sets the base URL and a default model (custom = your own URL).",
    )
    base_url: str = Field(
        "",
        description="OpenAI-compatible API base, e.g. https://api.deepseek.com/v1; empty = the preset's.",
    )
    model: str = Field("", description="Model name at the provider; empty = the preset's default model.")
    temperature: float = Field(0.8, ge=0.0, le=2.0, description="Randomness of replies (0-2).")
    max_tokens: int = Field(
        400, ge=16, le=32768, description="Longest reply, in tokens (spoken replies are short)."
    )
    timeout_s: float = Field(
        20.0,
        ge=1.0,
        le=600.0,
        description="Give up when the provider sends nothing for this long (connect, first token, gaps).",
    )
    retries: int = Field(
        2, ge=0, le=5, description="Retries of a failed request before the reply starts (429, 5xx, network)."
    )
    context_tokens: int = Field(
        8000,
        ge=512,
        le=1_000_000,
        description="Prompt budget in tokens; older turns are summarised to stay within it.",
    )
    persona: str = Field("cream", description="Id of the character card (persona) the studio speaks as.")

    @field_validator("base_url", "model", "persona")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")


ListenMode = Literal["hands_free", "push_to_talk", "off"]
ListenLanguage = Literal["auto", "zh", "en", "ja"]


class ListenSettings(AreaSettings):
    """Speech in: listening mode, recognition language, voice activity and barge-in."""

    area: ClassVar[str] = "listen"
    title: ClassVar[str] = "Listening"
    model_config = SettingsConfigDict(env_prefix="STUDIO_LISTEN_", extra="ignore")

    mode: ListenMode = Field(
        "off", description="hands_free (voice activity), push_to_talk (hold a key/button) or off."
    )
    language: ListenLanguage = Field("auto", description="Recognition language: auto, zh, en or ja.")
    vad_threshold: float = Field(
        0.5, ge=0.05, le=0.99, description="Speech probability at which a frame counts as speech."
    )
    vad_release_threshold: float = Field(
        0.35, ge=0.01, le=0.99, description="Probability below which a frame counts as silence."
    )
    start_ms: int = Field(
        200, ge=32, le=2000, description="Speech needed before the user counts as speaking (ms)."
    )
    hangover_ms: int = Field(500, ge=96, le=5000, description="Silence that ends an utterance (ms).")
    max_utterance_s: float = Field(
        30.0, ge=2.0, le=120.0, description="An utterance longer than this is cut and transcribed."
    )
    partial_interval_s: float = Field(
        0.7, ge=0.2, le=10.0, description="Shortest interval between partial transcripts (s)."
    )
    wake_word: str = Field(
        "", description="Only answer utterances that start with this name; empty answers all."
    )
    barge_in: bool = Field(True, description="Stop the studio's speech when the user starts speaking.")
    echo_cancellation: bool = Field(
        True, description="Remove the studio's own voice from the microphone (WebRTC AEC)."
    )
    echo_margin_db: float = Field(
        6.0, ge=0.0, le=30.0, description="How far speech must rise above the echo estimate (dB)."
    )

    @model_validator(mode="after")
    def _release_below_threshold(self) -> ListenSettings:
        if self.vad_release_threshold > self.vad_threshold:
            raise ValueError("vad_release_threshold must not exceed vad_threshold")
        return self


AREAS: tuple[type[AreaSettings], ...] = (
    ApiSettings,
    UiSettings,
    AudioSettings,
    TtsSettings,
    StorageSettings,
    LoggingSettings,
    AvatarAreaSettings,
    StreamSettings,
    SmtpSettings,
    LlmSettings,
    ListenSettings,
)


class StudioConfig(BaseModel):
    """All settings areas together. Built by :class:`~studio.config.store.ConfigStore`."""

    model_config = ConfigDict(frozen=False)

    api: ApiSettings = Field(default_factory=ApiSettings)
    ui: UiSettings = Field(default_factory=UiSettings)
    audio: AudioSettings = Field(default_factory=AudioSettings)
    tts: TtsSettings = Field(default_factory=TtsSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    avatar: AvatarAreaSettings = Field(default_factory=AvatarAreaSettings)
    stream: StreamSettings = Field(default_factory=StreamSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    llm: LlmSettings = Field(default_factory=LlmSettings)
    listen: ListenSettings = Field(default_factory=ListenSettings)

    def area(self, name: str) -> AreaSettings:
        """The settings of area ``name``."""
        value = getattr(self, name)
        assert isinstance(value, AreaSettings)
        return value
