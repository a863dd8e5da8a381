/*
 * Test-only stand-in for bcryptprimitives.dll, which Wine 8 lacks and Go
 * (1.22+) needs on Windows for crypto/rand and the runtime's random seed.
 * It is built with mingw into the wine prefix by build/wine-prefix.sh and
 * never shipped. ProcessPrng never fails on real Windows; neither may this.
 */
#include <windows.h>

/* RtlGenRandom is exported by advapi32 under this name. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	/* SystemFunction036 takes a ULONG: fill large buffers in chunks. */
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!SystemFunction036(data, n))
			ExitProcess(0xC0000001); /* as Windows: no silent zeros */
		data += n;
		len -= n;
	}
	return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE h, DWORD reason, LPVOID reserved)
{
	(void)h; (void)reason; (void)reserved;
	return TRUE;
}
