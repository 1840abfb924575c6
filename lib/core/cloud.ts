/** The clouds attestgate gates, writes rules for and probes. */
export type Cloud = 'aws' | 'gcp' | 'azure';
