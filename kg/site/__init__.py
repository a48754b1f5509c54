"""The browsable site (`kg site`) and the charts of `kg plot`: static HTML and
SVG built from the named queries, viewable with no network access."""

from .build import SiteSummary, build_site
from .charts import CHARTS

__all__ = ["CHARTS", "SiteSummary", "build_site"]
