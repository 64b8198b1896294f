package io.pipeline.core.adversarial;

import io.pipeline.core.MessageHandler;
import io.pipeline.core.SyncDispatcher;

class SyncDispatcherContractAdversarialTest extends DispatcherAdversarialContract {
    @Override
    MessageHandler create() {
        return new SyncDispatcher();
    }
}
