package io.pipeline.core.adversarial;

import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.MessageHandler;

class AsyncDispatcherContractAdversarialTest extends DispatcherAdversarialContract {
    @Override
    MessageHandler create() {
        return AsyncDispatcher.builder().capacity(64).build();
    }
}
