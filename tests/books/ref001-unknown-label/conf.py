extensions = ["essaykit.sphinx_ext"]
numfig = True
