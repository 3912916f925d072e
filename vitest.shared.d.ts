import { type ViteUserConfig } from 'vitest/config';
export declare function projectConfig(projectName: string, overrides?: ViteUserConfig): ViteUserConfig;
//# sourceMappingURL=vitest.shared.d.ts.map