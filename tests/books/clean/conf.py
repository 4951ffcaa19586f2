# the checker reads this (never runs it): figures are numbered, so {numref} works
extensions = ["essaykit.sphinx_ext"]
numfig = True
