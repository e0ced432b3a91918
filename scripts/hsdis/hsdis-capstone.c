/*
 * A minimal HotSpot disassembler plugin ("hsdis") on the capstone library, so that
 * -XX:+PrintAssembly / -XX:CompileCommand=print show the machine code C2 makes of the kernels.
 * A developer tool only: nothing in the build or the tests uses it. Build with build.sh.
 *
 * HotSpot looks the plugin up by name (hsdis-amd64.so) on LD_LIBRARY_PATH and calls
 * decode_instructions_virtual for each code range; we print one instruction per line and report
 * instruction boundaries through event_callback so HotSpot can interleave its comments.
 * capstone 4 does not know every AVX-512 encoding: those show as ".byte 0x62" lines.
 */
#include <capstone/capstone.h>
#include <stdint.h>
#include <stdio.h>
#include <inttypes.h>

typedef void* (*event_cb)(void*, const char*, void*);
typedef int (*printf_cb)(void*, const char*, ...);

void* decode_instructions_virtual(uintptr_t start_va, uintptr_t end_va,
                                  unsigned char* buffer, uintptr_t length,
                                  event_cb event_callback, void* event_stream,
                                  printf_cb printf_callback, void* printf_stream,
                                  const char* options, int newline) {
  csh h;
  if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK) return NULL;
  cs_option(h, CS_OPT_SKIPDATA, CS_OPT_ON);
  uintptr_t pc = start_va;
  const uint8_t* code = buffer; size_t size = length; uint64_t addr = start_va;
  cs_insn* insn = cs_malloc(h);
  while (addr < end_va && cs_disasm_iter(h, &code, &size, &addr, insn)) {
    if (event_callback) event_callback(event_stream, "insn", (void*)(uintptr_t)insn->address);
    printf_callback(printf_stream, "%s\t%s", insn->mnemonic, insn->op_str);
    if (event_callback) event_callback(event_stream, "/insn", (void*)(uintptr_t)(insn->address + insn->size));
    if (newline) printf_callback(printf_stream, "\n");
    pc = addr;
  }
  cs_free(insn, 1);
  cs_close(&h);
  return (void*)pc;
}
