import { ContainerModule } from 'inversify';

/** The audio plugin (being built). */
export default new ContainerModule(() => {});
