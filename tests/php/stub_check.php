<?php
/**
 * Compares the committed IDE stubs (pet-php/stubs/*.stub.php, one file per PHP class group)
 * with the loaded extension.
 *
 * Each stub file is loaded a second time under the namespace `PetStub` (its bodies are never
 * run) and both sides are compared by Reflection: the set of classes in the namespace,
 * abstract/final flags, parent classes, and every public method declared by each class
 * (name with its exact case, static flag, return type, and for each parameter its name, type,
 * nullability, optional flag, by-reference/variadic flags and default value).
 *
 * Private members are implementation details (Pet\ValidationException keeps its field errors
 * in a private property) and are not compared.
 *
 * @return list<string> differences, empty when the stub and the extension agree
 */

function pet_stub_differences( string|array $stub_files ): array {
	static $loaded = array();
	$diffs = array();
	foreach ( (array) $stub_files as $stub_file ) {
		$src = file_get_contents( $stub_file );
		if ( false === $src ) {
			return array( "cannot read $stub_file" );
		}
		$lint = shell_exec( escapeshellarg( PHP_BINARY ) . ' -n -l ' . escapeshellarg( $stub_file ) . ' 2>&1' );
		if ( ! is_string( $lint ) || ! str_contains( $lint, 'No syntax errors' ) ) {
			$diffs[] = "stub file does not lint: $lint";
		}
		$count = 0;
		$src   = preg_replace( '/^namespace\s+Pet\s*;/m', 'namespace PetStub;', $src, 1, $count );
		if ( 1 !== $count ) {
			return array( basename( $stub_file ) . ' has no `namespace Pet;` line' );
		}
		$src = preg_replace( '/^<\?php/', '', $src );
		if ( ! isset( $loaded[ $stub_file ] ) ) {
			eval( $src ); // phpcs:ignore -- test-only: declares the stub classes under PetStub.
			$loaded[ $stub_file ] = true;
		}
	}

	$classes_in = static function ( string $ns ): array {
		$out = array();
		foreach ( array_merge( get_declared_classes(), get_declared_interfaces() ) as $c ) {
			if ( str_starts_with( $c, $ns . '\\' ) && substr_count( $c, '\\' ) === 1 ) {
				$out[] = substr( $c, strlen( $ns ) + 1 );
			}
		}
		sort( $out );
		return $out;
	};
	$ext  = $classes_in( 'Pet' );
	$stub = $classes_in( 'PetStub' );
	foreach ( array_diff( $stub, $ext ) as $c ) {
		$diffs[] = "class Pet\\$c is in the stub but not in the extension";
	}
	foreach ( array_diff( $ext, $stub ) as $c ) {
		$diffs[] = "class Pet\\$c is in the extension but not in the stub";
	}

	$norm = static function ( ?string $s ): string {
		return null === $s ? '(none)' : str_replace( 'PetStub\\', 'Pet\\', ltrim( $s, '\\' ) );
	};
	$type = static function ( ?\ReflectionType $t ) use ( $norm ): string {
		return $norm( null === $t ? null : (string) $t );
	};

	foreach ( array_intersect( $stub, $ext ) as $short ) {
		$s = new \ReflectionClass( 'PetStub\\' . $short );
		$e = new \ReflectionClass( 'Pet\\' . $short );
		$name = 'Pet\\' . $short;
		foreach ( array( 'isFinal', 'isAbstract', 'isInterface' ) as $flag ) {
			if ( $s->$flag() !== $e->$flag() ) {
				$diffs[] = "$name: $flag() is " . var_export( $s->$flag(), true ) . ' in the stub, ' . var_export( $e->$flag(), true ) . ' in the extension';
			}
		}
		$sp = $s->getParentClass();
		$ep = $e->getParentClass();
		if ( $norm( $sp ? $sp->getName() : null ) !== $norm( $ep ? $ep->getName() : null ) ) {
			$diffs[] = "$name: parent is " . $norm( $sp ? $sp->getName() : null ) . ' in the stub, ' . $norm( $ep ? $ep->getName() : null ) . ' in the extension';
		}
		$methods = static function ( \ReflectionClass $c ): array {
			$out = array();
			foreach ( $c->getMethods( \ReflectionMethod::IS_PUBLIC ) as $m ) {
				if ( $m->getDeclaringClass()->getName() === $c->getName() ) {
					$out[ strtolower( $m->getName() ) ] = $m;
				}
			}
			ksort( $out );
			return $out;
		};
		$sm = $methods( $s );
		$em = $methods( $e );
		foreach ( array_diff_key( $sm, $em ) as $m ) {
			$diffs[] = "$name::{$m->getName()}() is in the stub but not in the extension";
		}
		foreach ( array_diff_key( $em, $sm ) as $m ) {
			$diffs[] = "$name::{$m->getName()}() is in the extension but not in the stub";
		}
		foreach ( array_intersect_key( $sm, $em ) as $key => $smeth ) {
			$emeth = $em[ $key ];
			$where = "$name::{$smeth->getName()}()";
			if ( $smeth->getName() !== $emeth->getName() ) {
				$diffs[] = "$where: spelled {$emeth->getName()} in the extension";
			}
			if ( $smeth->isStatic() !== $emeth->isStatic() ) {
				$diffs[] = "$where: static flag differs";
			}
			if ( $type( $smeth->getReturnType() ) !== $type( $emeth->getReturnType() ) ) {
				$diffs[] = "$where: return type " . $type( $smeth->getReturnType() ) . ' in the stub, ' . $type( $emeth->getReturnType() ) . ' in the extension';
			}
			$sps = $smeth->getParameters();
			$eps = $emeth->getParameters();
			if ( count( $sps ) !== count( $eps ) ) {
				$diffs[] = "$where: " . count( $sps ) . ' parameters in the stub, ' . count( $eps ) . ' in the extension';
				continue;
			}
			foreach ( $sps as $i => $sparam ) {
				$eparam = $eps[ $i ];
				$pw     = "$where parameter #$i \${$sparam->getName()}";
				$checks = array(
					'name'     => array( $sparam->getName(), $eparam->getName() ),
					'type'     => array( $type( $sparam->getType() ), $type( $eparam->getType() ) ),
					'nullable' => array( $sparam->allowsNull(), $eparam->allowsNull() ),
					'optional' => array( $sparam->isOptional(), $eparam->isOptional() ),
					'by-ref'   => array( $sparam->isPassedByReference(), $eparam->isPassedByReference() ),
					'variadic' => array( $sparam->isVariadic(), $eparam->isVariadic() ),
				);
				if ( $sparam->isOptional() && $sparam->isDefaultValueAvailable() ) {
					$checks['default'] = array(
						var_export( $sparam->getDefaultValue(), true ),
						$eparam->isDefaultValueAvailable() ? var_export( $eparam->getDefaultValue(), true ) : '(no default)',
					);
				}
				foreach ( $checks as $what => list( $a, $b ) ) {
					if ( $a !== $b ) {
						$diffs[] = "$pw: $what is " . var_export( $a, true ) . ' in the stub, ' . var_export( $b, true ) . ' in the extension';
					}
				}
			}
		}
	}
	return $diffs;
}
