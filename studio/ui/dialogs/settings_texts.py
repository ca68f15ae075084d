"""Translatable texts of the settings dialog: area titles, field labels, tooltips, choice names.

The settings models (``studio.config.settings``) are Qt-free and English; the dialog shows them
through these tables so ``lupdate`` can collect every string. Anything missing here falls back to
the model: the area's ``title``, the field name, the field's ``description``.

Tooltips are the models' ``description`` texts, looked up at runtime in the ``SettingsTexts``
context. :data:`DESCRIPTIONS` only lists them for ``lupdate``; when a model's text changes, the
lookup misses and the new English text shows until the translation is updated (never a stale one).
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject

from studio.config.settings import AreaSettings

_CONTEXT = "SettingsTexts"

DESCRIPTIONS: tuple[str, ...] = (
    QT_TRANSLATE_NOOP("SettingsTexts", "Serve the local API while the studio runs."),
    QT_TRANSLATE_NOOP(
        "SettingsTexts",
        "Interface to listen on. Anything but loopback exposes the studio to the network.",
    ),
    QT_TRANSLATE_NOOP("SettingsTexts", "Main API port."),
    QT_TRANSLATE_NOOP(
        "SettingsTexts",
        "Serve the compatible APIs on their original ports too (9080, 5001, 8888, 9880, 7861, 12393).",
    ),
    QT_TRANSLATE_NOOP(
        "SettingsTexts",
        "Let GPT-SoVITS clients stop the engine with /control?command=exit (off: refused).",
    ),
    QT_TRANSLATE_NOOP("SettingsTexts", "Largest voice model archive accepted by the import route, in MiB."),
    QT_TRANSLATE_NOOP(
        "SettingsTexts", "Imported VoxCPM model to load (Voice -> Models); empty = VoxCPM off."
    ),
    QT_TRANSLATE_NOOP("SettingsTexts", "Where VoxCPM runs: auto picks CUDA, then Apple MPS, then the CPU."),
    QT_TRANSLATE_NOOP(
        "SettingsTexts",
        "Speaker (Voice -> Speakers) that cloning voices imitate; empty = the model's own voice.",
    ),
    QT_TRANSLATE_NOOP("SettingsTexts", "Let web pages served from this computer (any port) call the API."),
    QT_TRANSLATE_NOOP(
        "SettingsTexts",
        "Other web origins allowed to call the API from a browser (CORS), e.g. https://example.com.",
    ),
    QT_TRANSLATE_NOOP("SettingsTexts", "Largest request body accepted, in MiB."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Interface language."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Light or dark colours."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Ask before quitting while streaming."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Speaker device name; empty for the system default."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Microphone device name; empty for the system default."),
    QT_TRANSLATE_NOOP(
        "SettingsTexts", "Voice used for speech; empty picks the default voice of each language."
    ),
    QT_TRANSLATE_NOOP("SettingsTexts", "Default Mandarin voice id; empty for the built-in one."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Default English voice id; empty for the built-in one."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Default Japanese voice id; empty for the built-in one."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Speaking rate (0.5-2.0)."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Pitch shift in semitones, where the voice supports it."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Voice volume (0-2)."),
    QT_TRANSLATE_NOOP("SettingsTexts", "GPT-SoVITS api_v2 server, e.g. http://127.0.0.1:9880; empty = off."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Reference audio path on the GPT-SoVITS server."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Transcript of the reference audio."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Language of the reference audio (zh, en, ja ...)."),
    QT_TRANSLATE_NOOP("SettingsTexts", "GPT-SoVITS streaming mode (0-3)."),
    QT_TRANSLATE_NOOP(
        "SettingsTexts", "OpenAI-compatible API base, e.g. https://api.openai.com/v1; empty = off."
    ),
    QT_TRANSLATE_NOOP("SettingsTexts", "Speech model name of that service."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Voice name of that service."),
    QT_TRANSLATE_NOOP(
        "SettingsTexts", "FULL survives power loss; NORMAL is faster and survives a crash of the app."
    ),
    QT_TRANSLATE_NOOP("SettingsTexts", "Least important messages written to the log."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Size at which the log file rotates, in MiB."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Old log files kept."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Id of the avatar shown (see the avatar library)."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Size of the avatar (OBS) window."),
    QT_TRANSLATE_NOOP(
        "SettingsTexts", "Background colour of the avatar window, e.g. #00ff00; empty = the avatar's own."
    ),
    QT_TRANSLATE_NOOP("SettingsTexts", "Keep the avatar window above other windows."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Platform preset (fills server, size and bitrate)."),
    QT_TRANSLATE_NOOP(
        "SettingsTexts", "RTMP or RTMPS server URL, e.g. rtmp://live-push.bilivideo.com/live-bvc/ (no key)."
    ),
    QT_TRANSLATE_NOOP("SettingsTexts", "Stream width in pixels (even)."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Stream height in pixels (even)."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Frames per second."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Video bitrate (constant), kbit/s."),
    QT_TRANSLATE_NOOP("SettingsTexts", "AAC audio bitrate, kbit/s."),
    QT_TRANSLATE_NOOP(
        "SettingsTexts", "H.264 encoder; auto uses a hardware one when it opens, else libx264."
    ),
    QT_TRANSLATE_NOOP("SettingsTexts", "libx264 speed preset (faster = less CPU, lower quality)."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Seconds between keyframes."),
    QT_TRANSLATE_NOOP(
        "SettingsTexts", "hands_free (voice activity), push_to_talk (hold a key/button) or off."
    ),
    QT_TRANSLATE_NOOP("SettingsTexts", "Recognition language: auto, zh, en or ja."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Speech probability at which a frame counts as speech."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Probability below which a frame counts as silence."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Speech needed before the user counts as speaking (ms)."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Silence that ends an utterance (ms)."),
    QT_TRANSLATE_NOOP("SettingsTexts", "An utterance longer than this is cut and transcribed."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Shortest interval between partial transcripts (s)."),
    QT_TRANSLATE_NOOP(
        "SettingsTexts", "Only answer utterances that start with this name; empty answers all."
    ),
    QT_TRANSLATE_NOOP("SettingsTexts", "Stop the studio's speech when the user starts speaking."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Remove the studio's own voice from the microphone (WebRTC AEC)."),
    QT_TRANSLATE_NOOP("SettingsTexts", "How far speech must rise above the echo estimate (dB)."),
    QT_TRANSLATE_NOOP(
        "SettingsTexts", "Provider preset: sets the base URL and a default model (custom = your own URL)."
    ),
    QT_TRANSLATE_NOOP(
        "SettingsTexts", "OpenAI-compatible API base, e.g. https://api.deepseek.com/v1; empty = the preset's."
    ),
    QT_TRANSLATE_NOOP("SettingsTexts", "Model name at the provider; empty = the preset's default model."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Randomness of replies (0-2)."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Longest reply, in tokens (spoken replies are short)."),
    QT_TRANSLATE_NOOP(
        "SettingsTexts", "Give up when the provider sends nothing for this long (connect, first token, gaps)."
    ),
    QT_TRANSLATE_NOOP(
        "SettingsTexts", "Retries of a failed request before the reply starts (429, 5xx, network)."
    ),
    QT_TRANSLATE_NOOP(
        "SettingsTexts", "Prompt budget in tokens; older turns are summarised to stay within it."
    ),
    QT_TRANSLATE_NOOP("SettingsTexts", "Id of the character card (persona) the studio speaks as."),
    QT_TRANSLATE_NOOP("SettingsTexts", "SMTP server name, e.g. smtp.example.com; empty = no e-mail codes."),
    QT_TRANSLATE_NOOP("SettingsTexts", "SMTP port: 587 for STARTTLS, 465 for TLS, 25 for none."),
    QT_TRANSLATE_NOOP(
        "SettingsTexts", "starttls (upgrade after connecting), tls (TLS at once) or none (local tests only)."
    ),
    QT_TRANSLATE_NOOP("SettingsTexts", "Login name at the SMTP server; empty = no login."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Sender address of the code mails; empty = the login name."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Sender name shown in the mail program."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Check the server's TLS certificate (leave on)."),
    QT_TRANSLATE_NOOP(
        "SettingsTexts", "Extra CA certificate file (PEM) to trust, for a server with its own certificate."
    ),
    QT_TRANSLATE_NOOP("SettingsTexts", "Give up on the server after this long."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Stream background colour behind the avatar."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Reconnection attempts after a connection loss (0 = never give up)."),
    QT_TRANSLATE_NOOP("SettingsTexts", "First reconnection delay, seconds."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Longest reconnection delay (the delay doubles up to it)."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Record locally whenever you go live."),
    QT_TRANSLATE_NOOP("SettingsTexts", "Recording file format (mp4, mkv or flv)."),
)


class SettingsTexts(QObject):
    """Looks up translated texts for settings areas and fields. GUI thread."""

    def area_title(self, cls: type[AreaSettings]) -> str:
        """The tab title of an area."""
        titles = {
            "api": self.tr("API"),
            "ui": self.tr("Interface"),
            "audio": self.tr("Audio"),
            "tts": self.tr("Voice"),
            "storage": self.tr("Storage"),
            "logging": self.tr("Logging"),
            "avatar": self.tr("Avatar"),
            "stream": self.tr("Stream"),
            "smtp": self.tr("E-mail (SMTP)"),
            "llm": self.tr("Language model"),
            "listen": self.tr("Listening"),
        }
        return titles.get(cls.area, cls.title or cls.area)

    def label(self, area: str, name: str) -> str:
        """The form label of field ``area.name``."""
        labels = {
            ("api", "enabled"): self.tr("Serve the local API"),
            ("api", "host"): self.tr("Host"),
            ("api", "port"): self.tr("Port"),
            ("api", "legacy_ports"): self.tr("Also serve on original ports"),
            ("api", "allow_loopback_origins"): self.tr("Allow pages from this computer"),
            ("api", "allowed_origins"): self.tr("Other allowed web origins"),
            ("api", "max_body_mb"): self.tr("Largest request (MiB)"),
            ("api", "gpt_sovits_control_exit"): self.tr("GPT-SoVITS clients may stop the engine"),
            ("api", "max_model_upload_mb"): self.tr("Largest model archive (MiB)"),
            ("ui", "language"): self.tr("Language"),
            ("ui", "theme"): self.tr("Theme"),
            ("ui", "confirm_on_quit_while_live"): self.tr("Ask before quitting while live"),
            ("audio", "output_device"): self.tr("Speaker"),
            ("audio", "input_device"): self.tr("Microphone"),
            ("tts", "voice"): self.tr("Voice"),
            ("tts", "zh_voice"): self.tr("Mandarin voice"),
            ("tts", "en_voice"): self.tr("English voice"),
            ("tts", "ja_voice"): self.tr("Japanese voice"),
            ("tts", "speed"): self.tr("Speed"),
            ("tts", "pitch"): self.tr("Pitch (semitones)"),
            ("tts", "volume"): self.tr("Volume"),
            ("tts", "gpt_sovits_url"): self.tr("GPT-SoVITS server"),
            ("tts", "gpt_sovits_ref_audio"): self.tr("GPT-SoVITS reference audio"),
            ("tts", "gpt_sovits_prompt_text"): self.tr("Reference transcript"),
            ("tts", "gpt_sovits_prompt_lang"): self.tr("Reference language"),
            ("tts", "gpt_sovits_streaming_mode"): self.tr("GPT-SoVITS streaming mode"),
            ("tts", "openai_tts_url"): self.tr("OpenAI-compatible server"),
            ("tts", "openai_tts_model"): self.tr("Speech model"),
            ("tts", "openai_tts_voice"): self.tr("Service voice"),
            ("tts", "voxcpm_model"): self.tr("VoxCPM model"),
            ("tts", "voxcpm_device"): self.tr("VoxCPM device"),
            ("tts", "clone_speaker"): self.tr("Clone speaker"),
            ("storage", "synchronous"): self.tr("Database safety"),
            ("logging", "level"): self.tr("Log level"),
            ("logging", "max_file_mb"): self.tr("Rotate log at (MiB)"),
            ("logging", "keep_files"): self.tr("Old log files kept"),
            ("avatar", "current"): self.tr("Avatar"),
            ("avatar", "window_size"): self.tr("Avatar window size"),
            ("avatar", "window_background"): self.tr("Avatar window background"),
            ("avatar", "window_on_top"): self.tr("Avatar window on top"),
            ("stream", "preset"): self.tr("Platform"),
            ("stream", "server"): self.tr("Server URL"),
            ("stream", "width"): self.tr("Width"),
            ("stream", "height"): self.tr("Height"),
            ("stream", "fps"): self.tr("Frame rate"),
            ("stream", "video_bitrate_kbps"): self.tr("Video bitrate (kbit/s)"),
            ("stream", "audio_bitrate_kbps"): self.tr("Audio bitrate (kbit/s)"),
            ("stream", "video_encoder"): self.tr("Video encoder"),
            ("stream", "x264_preset"): self.tr("x264 speed preset"),
            ("stream", "keyframe_s"): self.tr("Keyframe interval (s)"),
            ("stream", "background"): self.tr("Background colour"),
            ("stream", "reconnect_retries"): self.tr("Reconnection attempts"),
            ("stream", "reconnect_delay_s"): self.tr("First reconnection delay (s)"),
            ("stream", "reconnect_max_delay_s"): self.tr("Longest reconnection delay (s)"),
            ("stream", "record_with_stream"): self.tr("Record while live"),
            ("stream", "record_format"): self.tr("Recording format"),
            ("listen", "mode"): self.tr("Microphone mode"),
            ("listen", "language"): self.tr("Recognition language"),
            ("listen", "vad_threshold"): self.tr("Speech threshold"),
            ("listen", "vad_release_threshold"): self.tr("Silence threshold"),
            ("listen", "start_ms"): self.tr("Speech before it counts (ms)"),
            ("listen", "hangover_ms"): self.tr("Silence that ends speech (ms)"),
            ("listen", "max_utterance_s"): self.tr("Longest utterance (s)"),
            ("listen", "partial_interval_s"): self.tr("Partial transcript interval (s)"),
            ("listen", "wake_word"): self.tr("Wake word"),
            ("listen", "barge_in"): self.tr("Stop speaking when interrupted"),
            ("listen", "echo_cancellation"): self.tr("Echo cancellation"),
            ("listen", "echo_margin_db"): self.tr("Margin over the echo (dB)"),
            ("llm", "provider"): self.tr("Provider"),
            ("llm", "base_url"): self.tr("API base URL"),
            ("llm", "model"): self.tr("Model"),
            ("llm", "temperature"): self.tr("Temperature"),
            ("llm", "max_tokens"): self.tr("Longest reply (tokens)"),
            ("llm", "timeout_s"): self.tr("Timeout (s)"),
            ("llm", "retries"): self.tr("Retries"),
            ("llm", "context_tokens"): self.tr("Prompt budget (tokens)"),
            ("llm", "persona"): self.tr("Persona"),
            ("smtp", "host"): self.tr("SMTP server"),
            ("smtp", "port"): self.tr("Port"),
            ("smtp", "security"): self.tr("Security"),
            ("smtp", "username"): self.tr("Login name"),
            ("smtp", "from_address"): self.tr("Sender address"),
            ("smtp", "from_name"): self.tr("Sender name"),
            ("smtp", "verify_certificate"): self.tr("Check the certificate"),
            ("smtp", "ca_file"): self.tr("Extra CA file"),
            ("smtp", "timeout_s"): self.tr("Timeout (s)"),
        }
        return labels.get((area, name), name.replace("_", " ").capitalize())

    def tooltip(self, description: str | None, *, one_per_line: bool = False) -> str:
        """The tooltip for a field whose model ``description`` is given (English)."""
        text = QCoreApplication.translate(_CONTEXT, description) if description else ""
        if one_per_line:
            text = f"{text} {self.tr('One entry per line.')}".strip()
        return text

    def choice(self, area: str, name: str, value: object) -> str:
        """The display name of choice ``value`` of field ``area.name``."""
        if (area, name) == ("ui", "language"):
            names = {
                "system": self.tr("System default"),
                "zh_CN": "简体中文",
                "en": "English",
                "ja": "日本語",
            }
        elif (area, name) == ("ui", "theme"):
            names = {
                "system": self.tr("Follow the system"),
                "light": self.tr("Light"),
                "dark": self.tr("Dark"),
            }
        elif (area, name) == ("stream", "preset"):
            names = {
                "custom": self.tr("Custom RTMP server"),
                "bilibili": self.tr("Bilibili"),
                "douyin": self.tr("Douyin"),
                "kuaishou": self.tr("Kuaishou"),
                "twitch": "Twitch",
                "youtube": "YouTube",
                "xiaohongshu": self.tr("Xiaohongshu"),
            }
        elif (area, name) == ("listen", "mode"):
            names = {
                "hands_free": self.tr("Hands-free (voice activity)"),
                "push_to_talk": self.tr("Push to talk"),
                "off": self.tr("Off"),
            }
        elif (area, name) == ("tts", "voxcpm_device"):
            names = {
                "auto": self.tr("Automatic"),
                "cpu": self.tr("CPU"),
                "cuda": self.tr("NVIDIA GPU (CUDA)"),
                "mps": self.tr("Apple GPU (MPS)"),
            }
        elif (area, name) == ("listen", "language"):
            names = {"auto": self.tr("Automatic"), "zh": "中文", "en": "English", "ja": "日本語"}
        elif (area, name) == ("llm", "provider"):
            names = {
                "openai": "OpenAI",
                "deepseek": "DeepSeek",
                "siliconflow": self.tr("SiliconFlow"),
                "volcano_ark": self.tr("Volcano Ark (Doubao)"),
                "hunyuan": self.tr("Tencent Hunyuan"),
                "zhipu": self.tr("Zhipu GLM"),
                "moonshot": self.tr("Moonshot (Kimi)"),
                "dashscope": self.tr("Qwen (DashScope)"),
                "ollama": "Ollama",
                "lmstudio": "LM Studio",
                "custom": self.tr("Custom server"),
            }
        elif (area, name) == ("smtp", "security"):
            names = {
                "starttls": self.tr("STARTTLS (port 587)"),
                "tls": self.tr("TLS (port 465)"),
                "none": self.tr("None (local tests only)"),
            }
        elif (area, name) == ("stream", "video_encoder"):
            names = {"auto": self.tr("Automatic (hardware if available)")}
        elif (area, name) == ("storage", "synchronous"):
            names = {"FULL": self.tr("Full (safest)"), "NORMAL": self.tr("Normal (faster)")}
        elif (area, name) == ("logging", "level"):
            names = {
                "DEBUG": self.tr("Debug"),
                "INFO": self.tr("Info"),
                "WARNING": self.tr("Warning"),
                "ERROR": self.tr("Error"),
            }
        else:
            names = {}
        return names.get(str(value), str(value))

    def validation_message(self, label: str, key: str, message: str) -> str:
        """The sentence shown when a value is rejected."""
        return self.tr("{label} ({key}): {message}").format(label=label, key=key, message=message)
