import { ContainerModule } from 'inversify';

/** The video plugin (being built). */
export default new ContainerModule(() => {});
