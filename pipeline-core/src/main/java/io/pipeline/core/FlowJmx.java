package io.pipeline.core;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * A flow's MBeans on the platform MBean server ({@code Flow.Builder.jmx(true)}): one for the flow
 * ({@code io.pipeline:type=Flow,name=F}), one per manager ({@code …,manager=M}) and one per processor of each
 * manager ({@code …,manager=M,processor=P}). Every attribute is read-only and read live from a fresh
 * {@link FlowMetrics} snapshot. Values that need quoting in an {@link ObjectName} (they contain {@code , = : " * ?}
 * or a newline) are quoted with {@link ObjectName#quote}.
 *
 * <p>Thread-safe: registration runs on the flow's starting or supervisor thread, {@link #unregisterAll()} on the
 * closing thread; attributes are read by JMX threads.
 */
final class FlowJmx {
    static final String DOMAIN = "io.pipeline";

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final String flow;
    private final Supplier<FlowMetrics> metrics;
    private final Supplier<Health> health;
    /** One manager's metrics alone ({@link Flow#managerMetrics}): what a manager's or processor's MBean reads. */
    private final java.util.function.Function<String, java.util.Optional<ManagerMetrics>> manager;
    private final Set<ObjectName> registered = ConcurrentHashMap.newKeySet();

    FlowJmx(String flow, Supplier<FlowMetrics> metrics, Supplier<Health> health,
            java.util.function.Function<String, java.util.Optional<ManagerMetrics>> manager) {
        this.flow = flow;
        this.metrics = metrics;
        this.health = health;
        this.manager = manager;
    }

    static String quoteIfNeeded(String value) {
        for (char c : new char[] {',', '=', ':', '"', '*', '?', '\n'}) {
            if (value.indexOf(c) >= 0) {
                return ObjectName.quote(value);
            }
        }
        return value;
    }

    static ObjectName flowName(String flow) {
        return name("type=Flow,name=" + quoteIfNeeded(flow));
    }

    static ObjectName managerName(String flow, String manager) {
        return name("type=Flow,name=" + quoteIfNeeded(flow) + ",manager=" + quoteIfNeeded(manager));
    }

    static ObjectName processorName(String flow, String manager, String processor) {
        return name("type=Flow,name=" + quoteIfNeeded(flow) + ",manager=" + quoteIfNeeded(manager)
                + ",processor=" + quoteIfNeeded(processor));
    }

    private static ObjectName name(String properties) {
        try {
            return new ObjectName(DOMAIN + ":" + properties);
        } catch (JMException e) {
            throw new IllegalArgumentException("not a valid MBean name: " + DOMAIN + ":" + properties, e);
        }
    }

    /**
     * Registers the flow's MBean.
     *
     * @throws IllegalStateException if an MBean of that name exists (another flow of the same name)
     */
    void registerFlow() {
        register(flowName(flow), () -> {
            FlowMetrics now = metrics.get();
            Health judged = health.get();
            DispatcherMetrics d = now.dispatcher();
            Map<String, Object> values = new LinkedHashMap<>();
            values.put("Health", judged.status().name());
            values.put("HealthDetails", judged.details());
            values.put("MetricsEnabled", now.enabled());
            values.put("Handler", d.type());
            values.put("QueueDepth", d.queueDepth());
            values.put("QueueCapacity", d.capacity());
            values.put("QueueHighWaterMark", d.highWaterMark());
            values.put("Dropped", d.dropped());
            values.put("ProducerBlockedNanos", d.blockedNanos());
            values.put("ProducerBlockedEmits", d.blockedEmits());
            values.put("DeadEvents", d.deadEvents());
            values.put("Rejected", d.rejected());
            values.put("Managers", now.managers().size());
            return values;
        }, true);
    }

    /** Registers the MBeans of {@code manager} and its processors, those not registered yet. */
    void registerManager(String manager, Set<String> processors) {
        register(managerName(flow, manager), () -> {
            ManagerMetrics m = this.manager.apply(manager).orElse(null);
            Map<String, Object> values = new LinkedHashMap<>();
            if (m == null) {
                return values;
            }
            values.put("State", m.state().name());
            values.put("Restarts", m.restarts());
            values.put("LastStartMillis", m.lastStart().map(java.time.Instant::toEpochMilli).orElse(0L));
            values.put("LastError", m.lastError().map(Throwable::toString).orElse(""));
            values.put("LastErrorMillis", m.lastErrorTime().map(java.time.Instant::toEpochMilli).orElse(0L));
            values.put("LastMessageMillis", m.lastMessage().map(java.time.Instant::toEpochMilli).orElse(0L));
            values.put("Stalled", m.sources().stream().anyMatch(SourceMetrics::stalled));
            return values;
        }, false);
        for (String processor : processors) {
            register(processorName(flow, manager, processor), () -> processorValues(manager, processor), false);
        }
    }

    private Map<String, Object> processorValues(String manager, String processor) {
        Map<String, Object> values = new LinkedHashMap<>();
        ManagerMetrics m = this.manager.apply(manager).orElse(null);
        if (m == null) {
            return values;
        }
        m.processor(processor).ifPresent(p -> {
            values.put("Emitted", p.emitted());
            values.put("Delivered", p.delivered());
            values.put("ListenerFailures", p.listenerFailures());
            values.put("DeadEvents", p.deadEvents());
            values.put("ListenerTimeSamples", p.listenerTime().samples());
            values.put("ListenerTimeTotalNanos", p.listenerTime().totalNanos());
            values.put("ListenerTimeMaxNanos", p.listenerTime().maxNanos());
        });
        m.source(processor).ifPresent(s -> {
            values.put("Stalled", s.stalled());
            values.put("LastEmitMillis", s.lastEmit().map(java.time.Instant::toEpochMilli).orElse(0L));
            s.counters().forEach((counter, value) -> values.put("Counter." + counter, value));
        });
        return values;
    }

    private void register(ObjectName name, Supplier<Map<String, Object>> values, boolean mustBeNew) {
        if (registered.contains(name)) {
            return;
        }
        try {
            server.registerMBean(new ValuesMBean(name, values), name);
            registered.add(name);
        } catch (InstanceAlreadyExistsException e) {
            if (mustBeNew) {
                throw new IllegalStateException("an MBean named " + name + " is already registered: another flow "
                        + "named '" + flow + "' runs in this JVM (give each flow its own name)", e);
            }
        } catch (JMException e) {
            throw new IllegalStateException("registering MBean " + name + " failed", e);
        }
    }

    /** Unregisters every MBean this flow registered. Idempotent. */
    void unregisterAll() {
        for (ObjectName name : new ArrayList<>(registered)) {
            try {
                server.unregisterMBean(name);
            } catch (JMException ignored) {
                // already gone (unregistered by someone else): nothing to do
            }
            registered.remove(name);
        }
    }

    /** Read-only attributes from a map computed at each read. */
    private static final class ValuesMBean implements DynamicMBean {
        private final ObjectName name;
        private final Supplier<Map<String, Object>> values;

        ValuesMBean(ObjectName name, Supplier<Map<String, Object>> values) {
            this.name = name;
            this.values = values;
        }

        @Override
        public Object getAttribute(String attribute) throws AttributeNotFoundException {
            Map<String, Object> now = values.get();
            if (!now.containsKey(attribute)) {
                throw new AttributeNotFoundException("no attribute '" + attribute + "' on " + name);
            }
            return now.get(attribute);
        }

        @Override
        public void setAttribute(Attribute attribute) {
            throw new UnsupportedOperationException("attributes of " + name + " are read-only");
        }

        @Override
        public AttributeList getAttributes(String[] attributes) {
            Map<String, Object> now = values.get();
            AttributeList list = new AttributeList();
            for (String attribute : attributes) {
                if (now.containsKey(attribute)) {
                    list.add(new Attribute(attribute, now.get(attribute)));
                }
            }
            return list;
        }

        @Override
        public AttributeList setAttributes(AttributeList attributes) {
            return new AttributeList();
        }

        @Override
        public Object invoke(String action, Object[] params, String[] signature) {
            throw new UnsupportedOperationException("no operations on " + name);
        }

        @Override
        public MBeanInfo getMBeanInfo() {
            List<MBeanAttributeInfo> attributes = new ArrayList<>();
            values.get().forEach((attribute, value) -> attributes.add(new MBeanAttributeInfo(attribute,
                    value.getClass().getName(), attribute, true, false, false)));
            return new MBeanInfo(ValuesMBean.class.getName(), "pipeline metrics of " + name,
                    attributes.toArray(new MBeanAttributeInfo[0]), null, null, null);
        }
    }
}
