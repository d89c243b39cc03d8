// Loaded by mocha before any test: NODE_ENV=test, so neither this process nor the child processes it starts (which
// inherit it) read a developer's `.env` from the repository root.
process.env.NODE_ENV = 'test';
