import { projectConfig } from '../../vitest.shared.mjs';

export default projectConfig('k8s-watch');
