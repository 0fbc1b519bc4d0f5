"""The building blocks at the bottom of the layers: model specs and the models they build (the
embedded local model, the fakes, the call cache), keys, errors, personas and their typing styles,
goals and the persona x goal grid. They import nothing of nodes/, graphs/, the application or
evals/ (the layers contract in pyproject.toml checks it)."""
