import os

from hypothesis import HealthCheck, settings

# Property tests are derandomized so that CI is reproducible; set SCCGAMES_HYPOTHESIS=dev to
# explore fresh examples locally.
settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=300)
settings.load_profile(os.environ.get("SCCGAMES_HYPOTHESIS", "ci"))
