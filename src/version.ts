/**
 * The Redis version reddish reports (INFO redis_version, HELLO, the startup banner): clients and
 * tools choose features from it, and reddish implements Redis 7.0's behaviour.
 */
export const REDIS_VERSION = '7.0.15';
/** reddish's own version, reported alongside as `reddish_version`. */
export const REDDISH_VERSION = '0.1.0';
