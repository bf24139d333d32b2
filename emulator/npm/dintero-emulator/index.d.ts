/** The path of this machine's emulator binary. Throws, naming what to install, when there is none. */
export declare function binaryPath(): string;
/** The platform package with this machine's binary (`dintero-emulator-linux-x64-gnu`, ...), or undefined. */
export declare function platformPackage(): string | undefined;
