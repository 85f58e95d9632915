"""The web chat's settings: off unless enabled, origins checked and normalised."""

from __future__ import annotations

import pytest

from iombot.bots.settings import Settings, SettingsError
from iombot.bots.webchat.settings import normal_origin


def test_off_unless_enabled():
    assert "webchat" not in Settings.from_env({}).platforms
    assert "webchat" not in Settings.from_env({"WEBCHAT_ENABLED": "0"}).platforms
    settings = Settings.from_env({"WEBCHAT_ENABLED": "1"}).platforms["webchat"]
    assert settings.origins == () and settings.max_chars == 1000


def test_origins_are_normalised_and_checked():
    env = {
        "WEBCHAT_ENABLED": "1",
        "WEBCHAT_ORIGINS": "https://WWW.Japan.IOM.int/, http://localhost:8000 https://x.org:443",
    }
    origins = Settings.from_env(env).platforms["webchat"].origins
    assert origins == ("https://www.japan.iom.int", "http://localhost:8000", "https://x.org")
    with pytest.raises(SettingsError) as error:
        Settings.from_env({**env, "WEBCHAT_ORIGINS": "www.example.org https://a.org/path"})
    assert "WEBCHAT_ORIGINS: 'www.example.org' is not an origin" in str(error.value)
    assert "'https://a.org/path' is not an origin" in str(error.value)


@pytest.mark.parametrize("value", ["", "null", "ftp://a.org", "https://", "https://a.org?x=1"])
def test_not_origins(value):
    assert normal_origin(value) is None


def test_switches_say_which_values_they_take():
    assert "webchat" in Settings.from_env({"WEBCHAT_ENABLED": "Yes"}).platforms
    env = {"WEBCHAT_ENABLED": "true", "WEBCHAT_TRUST_FORWARDED": "1"}
    assert Settings.from_env(env).platforms["webchat"].trust_forwarded
    with pytest.raises(SettingsError) as error:
        Settings.from_env({"WEBCHAT_ENABLED": "on"})
    assert "WEBCHAT_ENABLED: 'on' is not 1 or 0" in str(error.value)
    with pytest.raises(SettingsError) as error:
        Settings.from_env({"WEBCHAT_ENABLED": "1", "WEBCHAT_TRUST_FORWARDED": "maybe"})
    assert "WEBCHAT_TRUST_FORWARDED: 'maybe' is not 1 or 0" in str(error.value)
