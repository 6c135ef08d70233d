"""A strict, bilingual static site generator: site.yaml + content/ -> output/."""
