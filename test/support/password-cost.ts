// A low scrypt cost for tests that sign in often: the production cost (2^17) takes about half a second per hash.
export const TEST_PASSWORD_COST = 1024;
