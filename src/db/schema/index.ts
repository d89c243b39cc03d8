export * from './customers';
export * from './calls';
export * from './jobs';
export * from './staff';
export * from './acd';
export * from './audit';
export * from './office';
export * from './quality';
