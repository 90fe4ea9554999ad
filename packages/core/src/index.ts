export * from './generated/driver-api.generated.js'
