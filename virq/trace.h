/* SPDX-License-Identifier: GPL-2.0 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM virq

#if !defined(_VIRQ_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _VIRQ_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(virq_inject,
	TP_PROTO(int inst, u32 source, u32 op, int status),
	TP_ARGS(inst, source, op, status),

	TP_STRUCT__entry(
		__field(int, inst)
		__field(u32, source)
		__field(u32, op)
		__field(int, status)
	),

	TP_fast_assign(
		__entry->inst = inst;
		__entry->source = source;
		__entry->op = op;
		__entry->status = status;
	),

	TP_printk("inst %d source %u %s status %d", __entry->inst,
		  __entry->source,
		  __print_symbolic(__entry->op, { 0, "reset" }, { 1, "set" },
				   { 2, "edge" }),
		  __entry->status)
);

TRACE_EVENT(virq_msi,
	TP_PROTO(int inst, u64 address, u32 data, int status),
	TP_ARGS(inst, address, data, status),

	TP_STRUCT__entry(
		__field(int, inst)
		__field(u64, address)
		__field(u32, data)
		__field(int, status)
	),

	TP_fast_assign(
		__entry->inst = inst;
		__entry->address = address;
		__entry->data = data;
		__entry->status = status;
	),

	TP_printk("inst %d address 0x%llx data 0x%x status %d", __entry->inst,
		  __entry->address, __entry->data, __entry->status)
);

TRACE_EVENT(virq_ack,
	TP_PROTO(int inst, u32 vcpu, u64 id),
	TP_ARGS(inst, vcpu, id),

	TP_STRUCT__entry(
		__field(int, inst)
		__field(u32, vcpu)
		__field(u64, id)
	),

	TP_fast_assign(
		__entry->inst = inst;
		__entry->vcpu = vcpu;
		__entry->id = id;
	),

	TP_printk("inst %d vcpu %u id 0x%llx", __entry->inst, __entry->vcpu,
		  __entry->id)
);

TRACE_EVENT(virq_eoi,
	TP_PROTO(int inst, u32 source),
	TP_ARGS(inst, source),

	TP_STRUCT__entry(
		__field(int, inst)
		__field(u32, source)
	),

	TP_fast_assign(
		__entry->inst = inst;
		__entry->source = source;
	),

	TP_printk("inst %d source %u", __entry->inst, __entry->source)
);

#endif /* _VIRQ_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
